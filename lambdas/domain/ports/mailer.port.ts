/** An email ready to send. `key` makes the send happen once, whatever retries or duplicates occur. */
export interface OutboundEmail {
  key: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
  /**
   * The person the email speaks for (the deal's vendor owner): the mailer shows it as
   * `"<name> via <vendorName>" <tenant sender>` and sets Reply-To to their address.
   */
  onBehalfOf?: { name: string; email: string };
}

export interface Mailer {
  send(email: OutboundEmail): Promise<void>;
}

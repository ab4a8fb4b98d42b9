/** An email ready to send. `key` makes the send happen once, whatever retries or duplicates occur. */
export interface OutboundEmail {
  key: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(email: OutboundEmail): Promise<void>;
}

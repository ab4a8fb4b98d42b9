export interface EventPublisher {
  publish(detailType: string, detail: Record<string, unknown>): Promise<void>;
}

/**
 * The names and labels of weft's Prometheus metrics: Jina's (`jina_*`, docs/concepts/orchestration/
 * instrumentation.md) where Jina has one, `weft_*` for what Jina does not measure (dynamic batching, replica
 * health). Plain data: the dashboard, the docs and the bridge read the same table.
 */

/** Label names, as Jina writes them. */
export const LABELS = {
  runtime: 'runtime_name',
  executor: 'executor',
  endpoint: 'executor_endpoint',
  errorCode: 'error_code',
  address: 'address',
  reason: 'reason',
} as const;

/** Every metric weft exports (besides prom-client's process metrics and `@monitor` ones). */
export const METRICS = {
  receivingSeconds: {
    name: 'jina_receiving_request_seconds',
    help: 'Time from receiving a request to answering it (gateway: every protocol; head and worker: each call)',
  },
  sendingSeconds: {
    name: 'jina_sending_request_seconds',
    help: 'Time from sending a request to an executor (gateway) or shard (head) to its answer',
  },
  processSeconds: {
    name: 'jina_process_request_seconds',
    help: 'Time the executor method took on a request',
  },
  documentProcessed: { name: 'jina_document_processed_total', help: 'Documents processed by the executor' },
  successfulRequests: { name: 'jina_successful_requests_total', help: 'Requests answered successfully' },
  failedRequests: { name: 'jina_failed_requests_total', help: 'Requests that failed, by error code' },
  receivedRequestBytes: {
    name: 'jina_received_request_bytes',
    help: 'Size of the requests received (gRPC and native transport), in bytes',
  },
  sentResponseBytes: {
    name: 'jina_sent_response_bytes',
    help: 'Size of the answers sent (gRPC and native transport), in bytes',
  },
  pendingRequests: {
    name: 'jina_number_of_pending_requests',
    help: 'Requests the gateway received and has not answered yet',
  },
  batchQueueDepth: {
    name: 'weft_dynamic_batching_queue_depth',
    help: 'Documents waiting in a dynamic batching queue',
  },
  batchSize: {
    name: 'weft_dynamic_batch_size',
    help: 'Documents per batch handed to a dynamically batched endpoint (reason: size, timeout or drain)',
  },
  replicaHealthy: {
    name: 'weft_replica_healthy',
    help: 'Whether the gateway (or a head) sees a replica as healthy (1) or failing (0), per replica address',
  },
} as const;

/** The port every runtime serves `/metrics` on in an exported deployment (Jina's Kubernetes port). */
export const K8S_MONITORING_PORT = 9090;

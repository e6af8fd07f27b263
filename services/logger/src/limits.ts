// Limits of the LoggerService contract. They are part of the API (clients
// and the kit's log shipper size their batches by them), so they live in
// one place.

/** Most records one Push may carry. */
export const maxPushRecords = 5_000;
/** Longest message, in UTF-8 bytes. */
export const maxMessageBytes = 8 * 1024;
/** Largest `fields`, in UTF-8 bytes of its JSON text. */
export const maxFieldsBytes = 16 * 1024;
/** How far ahead of the logger's clock a record's time may be. */
export const maxFutureSkewMs = 5 * 60_000;
/** Records older than this are refused: almost always seconds sent as ms. */
export const minRecordTimeMs = Date.UTC(2000, 0, 1);
/** Longest service type, in UTF-8 bytes. */
export const maxServiceTypeBytes = 64;
/** Longest instance name, in UTF-8 bytes. */
export const maxInstanceBytes = 256;
/** Longest request id, in UTF-8 bytes. */
export const maxRequestIdBytes = 256;
/** Longest `Filter.text`, in UTF-8 bytes. */
export const maxFilterTextBytes = 1_024;
/** Query page size when the request says 0. */
export const defaultQueryLimit = 100;
/** Largest Query page. */
export const maxQueryLimit = 1_000;
/** Stats bucket width when the request says 0. */
export const defaultBucketMs = 60_000;
/** Narrowest Stats bucket. */
export const minBucketMs = 1_000;
/** Widest Stats bucket (one day). */
export const maxBucketMs = 86_400_000;
/** Most buckets one Stats answer may span. */
export const maxStatsBuckets = 10_000;

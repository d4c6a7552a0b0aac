/**
 * Worker-thread entry: converts one model into the cache off the main thread, so a worker runtime keeps answering
 * health checks while a first start converts (seconds for InceptionV3). Posts the `CachedModel` back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type CachedModelRequest, ensureConvertedModel } from './model-cache.js';

parentPort?.postMessage(ensureConvertedModel(workerData as CachedModelRequest));

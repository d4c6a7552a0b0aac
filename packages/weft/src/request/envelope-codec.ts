/**
 * Codecs for the small messages of `jina.proto` that wrap documents: `HeaderProto`, `StatusProto` (with
 * `ExceptionProto`), `RouteProto` and `google.protobuf.Timestamp`. Same size/write/read convention as
 * `wire/proto-writer.ts`.
 */
import type { ExceptionInfo, Status } from '../errors/index.js';
import {
  delimitedSize,
  int64Size,
  type ProtoReader,
  type ProtoWriter,
  reserveSize,
  type SizeList,
  stringFieldSize,
  varintSize,
} from '../wire/index.js';
import type { Header, Route, Timestamp } from './types.js';

// ---- Timestamp { int64 seconds = 1; int32 nanos = 2; }

export function sizeTimestamp(t: Timestamp, sizes: SizeList): number {
  const slot = reserveSize(sizes);
  let n = 0;
  if (t.seconds !== 0) n += 1 + int64Size(t.seconds);
  if (t.nanos !== 0) n += 1 + int64Size(t.nanos);
  sizes[slot] = n;
  return n;
}

export function writeTimestamp(w: ProtoWriter, t: Timestamp, field: number): void {
  w.messageHeader(field);
  if (t.seconds !== 0) {
    w.tag(1, 0);
    w.int64(t.seconds);
  }
  if (t.nanos !== 0) {
    w.tag(2, 0);
    w.int64(t.nanos);
  }
}

export function readTimestamp(r: ProtoReader, end: number): Timestamp {
  const t: Timestamp = { seconds: 0, nanos: 0 };
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x08) t.seconds = r.int64();
    else if (tag === 0x10) t.nanos = r.int32();
    else if (tag >>> 3 <= 2) r.wrongType('Timestamp', tag >>> 3 === 1 ? 'seconds' : 'nanos', tag, 0);
    else r.skipTag(tag);
  }
  r.expectEnd(end, 'Timestamp');
  return t;
}

// ---- StatusProto { code = 1; description = 2; ExceptionProto exception = 3 { name, args, stacks, executor } }

function exceptionBodySize(e: ExceptionInfo): number {
  let n = 0;
  if (e.name) n += stringFieldSize(1, e.name);
  for (const a of e.args) n += stringFieldSize(2, a);
  for (const s of e.stacks) n += stringFieldSize(3, s);
  if (e.executor) n += stringFieldSize(4, e.executor);
  return n;
}

export function sizeStatus(s: Status, sizes: SizeList): number {
  const slot = reserveSize(sizes);
  let n = 0;
  if (s.code !== 0) n += 1 + varintSize(s.code);
  if (s.description) n += stringFieldSize(2, s.description);
  if (s.exception) {
    const exSlot = reserveSize(sizes);
    const ex = exceptionBodySize(s.exception);
    sizes[exSlot] = ex;
    n += delimitedSize(3, ex);
  }
  sizes[slot] = n;
  return n;
}

/** Write a StatusProto; `field` 0 writes a top-level message (no tag or length). */
export function writeStatus(w: ProtoWriter, s: Status, field: number): void {
  const n = w.nextSize();
  if (field > 0) {
    w.tag(field, 2);
    w.uint32(n);
  }
  if (s.code !== 0) {
    w.tag(1, 0);
    w.uint32(s.code);
  }
  if (s.description) w.stringField(2, s.description);
  if (s.exception) {
    const e = s.exception;
    w.messageHeader(3);
    if (e.name) w.stringField(1, e.name);
    for (const a of e.args) w.stringField(2, a);
    for (const st of e.stacks) w.stringField(3, st);
    if (e.executor) w.stringField(4, e.executor);
  }
}

export function readStatus(r: ProtoReader, end: number): Status {
  const s: Status = { code: 0, description: '' };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        s.code = r.uint32();
        break;
      case 0x12:
        s.description = r.string();
        break;
      case 0x1a:
        s.exception = readException(r, r.ldelim());
        break;
      default:
        if (tag >>> 3 <= 3)
          r.wrongType(
            'StatusProto',
            ['', 'code', 'description', 'exception'][tag >>> 3] as string,
            tag,
            tag >>> 3 === 1 ? 0 : 2,
          );
        r.skipTag(tag);
    }
  }
  r.expectEnd(end, 'StatusProto');
  return s;
}

function readException(r: ProtoReader, end: number): ExceptionInfo {
  const e: ExceptionInfo = { name: '', args: [], stacks: [], executor: '' };
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) e.name = r.string();
    else if (tag === 0x12) e.args.push(r.string());
    else if (tag === 0x1a) e.stacks.push(r.string());
    else if (tag === 0x22) e.executor = r.string();
    else if (tag >>> 3 <= 4)
      r.wrongType('ExceptionProto', ['', 'name', 'args', 'stacks', 'executor'][tag >>> 3] as string, tag, 2);
    else r.skipTag(tag);
  }
  r.expectEnd(end, 'ExceptionProto');
  return e;
}

// ---- HeaderProto { request_id = 1; status = 2; optional exec_endpoint = 3; optional target_executor = 4; optional uint32 timeout = 5; }

export function sizeHeader(h: Header, sizes: SizeList): number {
  const slot = reserveSize(sizes);
  let n = 0;
  if (h.requestId) n += stringFieldSize(1, h.requestId);
  if (h.status) n += delimitedSize(2, sizeStatus(h.status, sizes));
  if (h.execEndpoint !== undefined) n += stringFieldSize(3, h.execEndpoint);
  if (h.targetExecutor !== undefined) n += stringFieldSize(4, h.targetExecutor);
  if (h.timeout !== undefined) n += 1 + varintSize(h.timeout);
  sizes[slot] = n;
  return n;
}

export function writeHeader(w: ProtoWriter, h: Header, field: number): void {
  w.messageHeader(field);
  if (h.requestId) w.stringField(1, h.requestId);
  if (h.status) writeStatus(w, h.status, 2);
  if (h.execEndpoint !== undefined) w.stringField(3, h.execEndpoint);
  if (h.targetExecutor !== undefined) w.stringField(4, h.targetExecutor);
  if (h.timeout !== undefined) {
    w.tag(5, 0);
    w.uint32(h.timeout);
  }
}

export function readHeader(r: ProtoReader, end: number): Header {
  const h: Header = { requestId: '' };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a:
        h.requestId = r.string();
        break;
      case 0x12:
        h.status = readStatus(r, r.ldelim());
        break;
      case 0x1a:
        h.execEndpoint = r.string();
        break;
      case 0x22:
        h.targetExecutor = r.string();
        break;
      case 0x28:
        h.timeout = r.uint32();
        break;
      default: {
        const f = tag >>> 3;
        if (f <= 5)
          r.wrongType(
            'HeaderProto',
            ['', 'request_id', 'status', 'exec_endpoint', 'target_executor', 'timeout'][f] as string,
            tag,
            f === 5 ? 0 : 2,
          );
        r.skipTag(tag);
      }
    }
  }
  r.expectEnd(end, 'HeaderProto');
  return h;
}

// ---- RouteProto { executor = 1; start_time = 2; end_time = 3; status = 4; }

export function sizeRoute(route: Route, sizes: SizeList): number {
  const slot = reserveSize(sizes);
  let n = 0;
  if (route.executor) n += stringFieldSize(1, route.executor);
  if (route.startTime) n += delimitedSize(2, sizeTimestamp(route.startTime, sizes));
  if (route.endTime) n += delimitedSize(3, sizeTimestamp(route.endTime, sizes));
  if (route.status) n += delimitedSize(4, sizeStatus(route.status, sizes));
  sizes[slot] = n;
  return n;
}

export function writeRoute(w: ProtoWriter, route: Route, field: number): void {
  w.messageHeader(field);
  if (route.executor) w.stringField(1, route.executor);
  if (route.startTime) writeTimestamp(w, route.startTime, 2);
  if (route.endTime) writeTimestamp(w, route.endTime, 3);
  if (route.status) writeStatus(w, route.status, 4);
}

export function readRoute(r: ProtoReader, end: number): Route {
  const route: Route = { executor: '' };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a:
        route.executor = r.string();
        break;
      case 0x12:
        route.startTime = readTimestamp(r, r.ldelim());
        break;
      case 0x1a:
        route.endTime = readTimestamp(r, r.ldelim());
        break;
      case 0x22:
        route.status = readStatus(r, r.ldelim());
        break;
      default: {
        const f = tag >>> 3;
        if (f <= 4)
          r.wrongType('RouteProto', ['', 'executor', 'start_time', 'end_time', 'status'][f] as string, tag, 2);
        r.skipTag(tag);
      }
    }
  }
  r.expectEnd(end, 'RouteProto');
  return route;
}

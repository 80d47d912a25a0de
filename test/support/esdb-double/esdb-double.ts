import * as grpc from '@grpc/grpc-js';
import { Empty as ProtobufEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { Empty, StreamIdentifier, UUID, WrongExpectedVersion } from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import { StreamsService, type IStreamsServer } from '@eventstore/db-client/generated/streams_grpc_pb';
import {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  ReadReq,
  ReadResp,
} from '@eventstore/db-client/generated/streams_pb';
import { AllStreamPosition } from '@eventstore/db-client/generated/shared_pb';
import {
  DoubleLog,
  type AppendOutcome,
  type DoubleExpected,
  type DoubleRecord,
  type ProposedEvent,
} from './double-log';

export interface EsdbDoubleOptions {
  /** Advertise `Streams.BatchAppend` in ServerFeatures (as a real server does): the client then appends with it. */
  readonly batchAppend?: boolean;
  /** The log to serve; a new one by default. Pass the log of a stopped double to "restart" the server. */
  readonly log?: DoubleLog;
  /** Port to listen on; a free one by default. */
  readonly port?: number;
  /**
   * The version ServerFeatures reports (default 24.10.0); `null`: no ServerFeatures service at all, as
   * EventStoreDB before 21.10 (the client then gets UNIMPLEMENTED).
   */
  readonly serverVersion?: string | null;
  /**
   * `false`: stream reads give events no `$all` position (the ReadEvent's `no_position`, and 2^64 − 1 as the
   * recorded event's commit and prepare position), as EventStoreDB before 22.6 does. Reads of `$all` keep theirs.
   */
  readonly streamPositions?: boolean;
  /** `false`: reads and subscriptions of `$all` give no position either (a fault injected, not a server's way). */
  readonly allPositions?: boolean;
}

/**
 * A test double of EventStoreDB / KurrentDB, in process, over real gRPC (insecure): just the part of the
 * protocol the adapter uses (see shared/ESDB-PROTOCOL.md): `ServerFeatures.GetSupportedMethods`,
 * `Streams.Append`, `Streams.BatchAppend` and `Streams.Read` (streams and `$all`, forwards and backwards,
 * event-type and stream-name filters, catch-up subscriptions). It can pass for an older server: another
 * version, no ServerFeatures service, stream reads without positions. Test support code: never shipped.
 */
export class EsdbDouble {
  private constructor(
    private readonly server: grpc.Server,
    readonly log: DoubleLog,
    readonly port: number,
    /** How often each Streams method was called: which append path the client took. */
    readonly calls: Record<'read' | 'append' | 'batchAppend', number>,
  ) {}

  /** The connection string of this double: `esdb://127.0.0.1:PORT?tls=false`. */
  get url(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  static async start(options: EsdbDoubleOptions = {}): Promise<EsdbDouble> {
    const log = options.log ?? new DoubleLog();
    const server = new grpc.Server();
    const calls = { read: 0, append: 0, batchAppend: 0 };
    server.addService(
      StreamsService,
      counted(
        streamsServer(log, { stream: options.streamPositions ?? true, all: options.allPositions ?? true }),
        calls,
      ),
    );
    const serverVersion = options.serverVersion === undefined ? DEFAULT_SERVER_VERSION : options.serverVersion;
    if (serverVersion !== null) {
      server.addService(ServerFeaturesService, {
        getSupportedMethods: (_call: unknown, callback: grpc.sendUnaryData<SupportedMethods>) => {
          callback(null, supportedMethods(serverVersion, options.batchAppend ?? true));
        },
      });
    }
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    return new EsdbDouble(server, log, port, calls);
  }

  /** Stops at once, ending open calls (subscriptions) with an error, as a server that goes away does. */
  stop(): void {
    this.server.forceShutdown();
  }
}

const DEFAULT_SERVER_VERSION = '24.10.0';

/** What the server sends for "no position" (`ulong.MaxValue`), as a uint64 decimal string. */
const NO_POSITION = (2n ** 64n - 1n).toString();

function supportedMethods(serverVersion: string, batchAppend: boolean): SupportedMethods {
  const methods = new SupportedMethods();
  methods.setEventStoreServerVersion(serverVersion);
  const names = ['Read', 'Append', ...(batchAppend ? ['BatchAppend'] : [])];
  methods.setMethodsList(
    names.map((name) => new SupportedMethod().setServiceName('event_store.client.streams.Streams').setMethodName(name)),
  );
  return methods;
}

function counted(server: IStreamsServer, calls: Record<'read' | 'append' | 'batchAppend', number>): IStreamsServer {
  return {
    ...server,
    read: (call) => (calls.read++, server.read(call)),
    append: (call, callback) => (calls.append++, server.append(call, callback)),
    batchAppend: (call) => (calls.batchAppend++, server.batchAppend(call)),
  };
}

/** Which reads give their events a position. */
interface Positions {
  readonly stream: boolean;
  readonly all: boolean;
}

function streamsServer(log: DoubleLog, positions: Positions): IStreamsServer {
  return {
    read: (call) => serveRead(log, call, positions),
    append: (call, callback) => {
      let header: AppendReq.Options | undefined;
      const events: ProposedEvent[] = [];
      call.on('data', (request: AppendReq) => {
        if (request.hasOptions()) header = request.getOptions();
        const message = request.getProposedMessage();
        if (message) events.push(proposed(message));
      });
      call.on('end', () => {
        if (!header) return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'no options' });
        const outcome = log.append(streamNameOf(header.getStreamIdentifier()), appendExpected(header), events);
        callback(null, appendResponse(outcome));
      });
    },
    batchAppend: (call) => {
      const pending = new Map<string, { options?: BatchAppendReq.Options; events: ProposedEvent[] }>();
      call.on('data', (request: BatchAppendReq) => {
        const correlation = request.getCorrelationId()!;
        const key = correlation.getString();
        const entry = pending.get(key) ?? { events: [] };
        pending.set(key, entry);
        if (request.hasOptions()) entry.options = request.getOptions();
        entry.events.push(...request.getProposedMessagesList().map(proposed));
        if (!request.getIsFinal()) return;
        pending.delete(key);
        const identifier = entry.options!.getStreamIdentifier()!;
        const outcome = log.append(streamNameOf(identifier), batchExpected(entry.options!), entry.events);
        call.write(batchAppendResponse(correlation, identifier, outcome));
      });
      call.on('end', () => call.end());
    },
    delete: (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: 'not in the double' }),
    tombstone: (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: 'not in the double' }),
  };
}

function proposed(message: AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage): ProposedEvent {
  const metadata = message.getMetadataMap();
  return {
    id: message.getId()!.getString(),
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? 'application/octet-stream',
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
}

function streamNameOf(identifier: StreamIdentifier | undefined): string {
  return Buffer.from(identifier!.getStreamName_asU8()).toString('utf8');
}

function appendExpected(options: AppendReq.Options): DoubleExpected {
  if (options.hasRevision()) return BigInt(options.getRevision());
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  return 'any';
}

function batchExpected(options: BatchAppendReq.Options): DoubleExpected {
  if (options.hasStreamPosition()) return BigInt(options.getStreamPosition());
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  return 'any';
}

/** Append answers a wrong expected version as a normal response, with the current and expected variants. */
function appendResponse(outcome: AppendOutcome): AppendResp {
  const response = new AppendResp();
  if (outcome.ok) {
    const success = new AppendResp.Success().setCurrentRevision(outcome.revision.toString());
    success.setPosition(
      new AppendResp.Position()
        .setCommitPosition(outcome.position.toString())
        .setPreparePosition(outcome.position.toString()),
    );
    return response.setSuccess(success);
  }
  const wrong = new AppendResp.WrongExpectedVersion();
  if (outcome.current === 'no_stream') wrong.setCurrentNoStream(new Empty());
  else wrong.setCurrentRevision(outcome.current.toString());
  if (outcome.expected === 'no_stream') wrong.setExpectedNoStream(new Empty());
  else if (outcome.expected === 'stream_exists') wrong.setExpectedStreamExists(new Empty());
  else if (outcome.expected === 'any') wrong.setExpectedAny(new Empty());
  else wrong.setExpectedRevision(outcome.expected.toString());
  return response.setWrongExpectedVersion(wrong);
}

/**
 * BatchAppend answers a wrong expected version with an error status packing `event_store.client.WrongExpectedVersion`.
 */
function batchAppendResponse(correlation: UUID, identifier: StreamIdentifier, outcome: AppendOutcome): BatchAppendResp {
  const response = new BatchAppendResp().setCorrelationId(correlation).setStreamIdentifier(identifier);
  if (outcome.ok) {
    const success = new BatchAppendResp.Success().setCurrentRevision(outcome.revision.toString());
    success.setPosition(
      new AllStreamPosition()
        .setCommitPosition(outcome.position.toString())
        .setPreparePosition(outcome.position.toString()),
    );
    return response.setSuccess(success);
  }
  const wrong = new WrongExpectedVersion();
  if (outcome.current === 'no_stream') wrong.setCurrentNoStream(new ProtobufEmpty());
  else wrong.setCurrentStreamRevision(outcome.current.toString());
  if (outcome.expected === 'no_stream') wrong.setExpectedNoStream(new ProtobufEmpty());
  else if (outcome.expected === 'stream_exists') wrong.setExpectedStreamExists(new ProtobufEmpty());
  else if (outcome.expected === 'any') wrong.setExpectedAny(new ProtobufEmpty());
  else wrong.setExpectedStreamPosition(outcome.expected.toString());
  const details = new Any();
  details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
  return response.setError(
    new Status().setCode(Code.FAILED_PRECONDITION).setMessage('WrongExpectedVersion').setDetails(details),
  );
}

type ReadCall = grpc.ServerWritableStream<ReadReq, ReadResp>;

function serveRead(log: DoubleLog, call: ReadCall, positions: Positions): void {
  const options = call.request.getOptions()!;
  const forwards = options.getReadDirection() === ReadReq.Options.ReadDirection.FORWARDS;
  const count = options.hasCount() ? Number(options.getCount()) : Number.MAX_SAFE_INTEGER;
  const matches = filterOf(options);
  const subscribing = options.hasSubscription();
  if (options.hasStream()) {
    const streamOptions = options.getStream()!;
    const streamName = streamNameOf(streamOptions.getStreamIdentifier());
    const revision = streamOptions.hasRevision() ? BigInt(streamOptions.getRevision()) : undefined;
    if (subscribing) {
      // Strictly after the revision; `end`: only what comes next.
      const start = streamOptions.hasStart()
        ? 0n
        : revision !== undefined
          ? revision + 1n
          : BigInt(log.stream(streamName)?.length ?? 0);
      return subscribe(
        log,
        call,
        (index) => {
          const record = log.all[index]!;
          return record.streamName === streamName && record.revision >= start;
        },
        0,
        positions.stream,
      );
    }
    const records = log.stream(streamName);
    if (!records) {
      call.write(
        new ReadResp().setStreamNotFound(
          new ReadResp.StreamNotFound().setStreamIdentifier(streamOptions.getStreamIdentifier()),
        ),
      );
      return void call.end();
    }
    let selected: DoubleRecord[];
    if (forwards) {
      const from = streamOptions.hasEnd() ? BigInt(records.length) : (revision ?? 0n);
      selected = records.filter((record) => record.revision >= from);
    } else {
      const from = streamOptions.hasRevision() ? revision! : BigInt(records.length - 1);
      selected = records.filter((record) => record.revision <= from).reverse();
    }
    for (const record of selected.slice(0, count)) call.write(eventResponse(record, positions.stream));
    return void call.end();
  }

  const allOptions = options.getAll()!;
  const position = allOptions.hasPosition() ? BigInt(allOptions.getPosition()!.getCommitPosition()) : undefined;
  if (subscribing) {
    // Strictly after the position; `end`: only what comes next.
    const startIndex = allOptions.hasStart()
      ? 0
      : allOptions.hasEnd()
        ? log.all.length
        : log.indexAtOrAfter(position! + 1n);
    return subscribe(log, call, (index) => matches(log.all[index]!), startIndex, positions.all);
  }
  const selected: DoubleRecord[] = [];
  if (forwards) {
    const start = allOptions.hasEnd() ? log.all.length : position === undefined ? 0 : log.indexAtOrAfter(position);
    for (let index = start; index < log.all.length && selected.length < count; index++) {
      if (matches(log.all[index]!)) selected.push(log.all[index]!);
    }
  } else {
    // Backwards from a position: the events before it.
    const start = allOptions.hasPosition() ? log.indexAtOrAfter(position!) - 1 : log.all.length - 1;
    for (let index = start; index >= 0 && selected.length < count; index--) {
      if (matches(log.all[index]!)) selected.push(log.all[index]!);
    }
  }
  for (const record of selected) call.write(eventResponse(record, positions.all));
  call.end();
}

/** Confirmation, the backlog, a checkpoint, caught-up, then live events until the client cancels. */
function subscribe(
  log: DoubleLog,
  call: ReadCall,
  matches: (index: number) => boolean,
  startIndex: number,
  positions: boolean,
): void {
  call.write(
    new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(`double-${Date.now()}`)),
  );
  let next = startIndex;
  const deliver = () => {
    for (; next < log.all.length; next++) {
      if (matches(next)) call.write(eventResponse(log.all[next]!, positions));
    }
  };
  deliver();
  const last = log.all[log.all.length - 1];
  if (last)
    call.write(
      new ReadResp().setCheckpoint(
        new ReadResp.Checkpoint()
          .setCommitPosition(last.position.toString())
          .setPreparePosition(last.position.toString()),
      ),
    );
  call.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
  const stopListening = log.onAppend(deliver);
  call.on('cancelled', stopListening);
  call.on('close', stopListening);
  call.on('error', stopListening);
}

function filterOf(options: ReadReq.Options): (record: DoubleRecord) => boolean {
  if (!options.hasFilter()) return () => true;
  const filter = options.getFilter()!;
  const onType = filter.hasEventType();
  const expression = onType ? filter.getEventType()! : filter.getStreamIdentifier()!;
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : undefined;
  return (record) => {
    const subject = onType ? record.type : record.streamName;
    if (regex) return regex.test(subject);
    return prefixes.some((prefix) => subject.startsWith(prefix));
  };
}

/**
 * A read event: with its `$all` position, or (`positions` false) with none, as servers before 22.6 send stream reads.
 */
function eventResponse(record: DoubleRecord, positions: boolean): ReadResp {
  const position = positions ? record.position.toString() : NO_POSITION;
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new UUID().setString(record.id))
    .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(record.streamName, 'utf8')))
    .setStreamRevision(record.revision.toString())
    .setCommitPosition(position)
    .setPreparePosition(position)
    .setData(record.data)
    .setCustomMetadata(record.customMetadata);
  recorded
    .getMetadataMap()
    .set('type', record.type)
    .set('content-type', record.contentType)
    .set('created', record.created.toString());
  const event = new ReadResp.ReadEvent().setEvent(recorded);
  if (positions) event.setCommitPosition(position);
  else event.setNoPosition(new Empty());
  return new ReadResp().setEvent(event);
}

/**
 * GraphQL on the HTTP gateway (`/graphql`, with `exposeGraphqlEndpoint`), as Jina's: a `docs` query and mutation
 * that run one request through the Flow and return its documents, each field selectable, `chunks` and `matches`
 * nested to any depth (the Document type refers to itself). An executor exception or an unreachable executor is a
 * GraphQL error whose `extensions` carry the weft error code (and the remote exception).
 */
import type { FastifyInstance } from 'fastify';
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import mercurius from 'mercurius';
import type { Document, NamedScore, NdArray } from '../../../document/index.js';
import { UnavailableError, WeftError, wireOfStatus } from '../../../errors/index.js';
import { DEFAULT_LIMITS, type GatewayLimits } from '../../../limits/index.js';
import { type DataRequest, requestFromJson, statusToJson } from '../../../request/index.js';
import type { Gateway } from '../gateway.js';
import { inboundHeaders } from '../interceptors.js';
import { graphqlLimitsRule, graphqlTooLarge } from './graphql-limits.js';

export const GRAPHQL_SCHEMA = /* GraphQL */ `
  "Any JSON value (tags, parameters, tensors as nested lists)."
  scalar JSON

  type NamedScore {
    name: String!
    value: Float!
    opName: String
    description: String
    refId: String
  }

  type Document {
    id: String!
    text: String
    "Bytes, base64-encoded."
    blob: String
    "Nested lists of numbers."
    tensor: JSON
    "The embedding's values, flattened."
    embedding: [Float!]
    uri: String
    mimeType: String
    modality: String
    tags: JSON
    scores: [NamedScore!]!
    evaluations: [NamedScore!]!
    parentId: String
    granularity: Int
    adjacency: Int
    weight: Float
    offset: Float
    location: [Float!]
    chunks: [Document!]!
    matches: [Document!]!
  }

  input DocumentInput {
    id: String
    text: String
    blob: String
    tensor: JSON
    embedding: [Float!]
    uri: String
    mimeType: String
    modality: String
    tags: JSON
    "Named scores: { name: number | { value, op_name, description, ref_id } }."
    scores: JSON
    parentId: String
    granularity: Int
    adjacency: Int
    weight: Float
    offset: Float
    location: [Float!]
    chunks: [DocumentInput!]
    matches: [DocumentInput!]
  }

  type Query {
    "Run one request through the Flow and return its documents."
    docs(data: [DocumentInput!], execEndpoint: String = "/search", targetExecutor: String, parameters: JSON): [Document!]!
  }

  type Mutation {
    "Run one request through the Flow and return its documents."
    docs(data: [DocumentInput!], execEndpoint: String = "/search", targetExecutor: String, parameters: JSON): [Document!]!
  }
`;

const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: function literal(node: ValueNode, variables?: { [key: string]: unknown } | null): unknown {
    switch (node.kind) {
      case Kind.STRING:
      case Kind.BOOLEAN:
        return node.value;
      case Kind.INT:
      case Kind.FLOAT:
        return Number(node.value);
      case Kind.NULL:
        return null;
      case Kind.LIST:
        return node.values.map((v) => literal(v, variables));
      case Kind.OBJECT:
        return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value, variables)]));
      case Kind.VARIABLE:
        return variables?.[node.name.value];
      default:
        throw new GraphQLError(`JSON cannot represent ${node.kind}`);
    }
  },
});

interface DocsArgs {
  data?: Record<string, unknown>[] | null;
  execEndpoint?: string | null;
  targetExecutor?: string | null;
  parameters?: unknown;
}

/** Mount `/graphql` on `app`. */
export async function registerGraphql(
  app: FastifyInstance,
  gateway: Gateway,
  accepting: () => boolean,
  limits: Pick<GatewayLimits, 'graphqlMaxDepth' | 'graphqlMaxBytes'> = DEFAULT_LIMITS,
): Promise<void> {
  const docs = async (
    _root: unknown,
    args: DocsArgs,
    context: {
      reply?: { request?: { headers: Record<string, string | string[] | undefined>; raw?: { socket?: unknown } } };
    },
  ): Promise<Document[]> => {
    let res: DataRequest;
    try {
      const req = requestFromJson(
        {
          data: args.data ?? [],
          parameters: args.parameters ?? {},
          ...(args.targetExecutor ? { targetExecutor: args.targetExecutor } : {}),
        },
        { execEndpoint: args.execEndpoint ?? '/search' },
      );
      if (!accepting()) throw new UnavailableError(`gateway ${gateway.name} is shutting down`);
      res = await gateway.process(req, {
        protocol: 'graphql',
        headers: inboundHeaders(context?.reply?.request?.headers ?? {}),
        connection: context?.reply?.request?.raw?.socket,
      });
    } catch (err) {
      throw asGraphqlError(err);
    }
    if (res.isError) {
      const status = statusToJson(res.header.status ?? { code: 1, description: 'executor error' });
      const { code, name } = wireOfStatus(status);
      throw new mercurius.ErrorWithProps(status.exception?.args[0] ?? status.description, { code, name, status });
    }
    return res.docs.toArray();
  };
  await app.register(mercurius, {
    schema: GRAPHQL_SCHEMA,
    path: '/graphql',
    graphiql: false,
    errorFormatter: codedErrors,
    ...(limits.graphqlMaxDepth > 0 ? { validationRules: [graphqlLimitsRule(limits.graphqlMaxDepth)] } : {}),
    resolvers: {
      JSON: JSONScalar,
      Query: { docs },
      Mutation: { docs },
      Document: {
        blob: (d: Document) =>
          d.blob ? Buffer.from(d.blob.buffer, d.blob.byteOffset, d.blob.byteLength).toString('base64') : null,
        tensor: (d: Document) => d.tensor?.toList() ?? null,
        embedding: (d: Document) => (d.embedding ? flatten(d.embedding) : null),
        tags: (d: Document) => (d.hasTags ? d.tags : null),
        scores: (d: Document) => namedScores(d.scores),
        evaluations: (d: Document) => namedScores(d.evaluations),
        chunks: (d: Document) => (d.chunkCount > 0 ? d.chunks.toArray() : []),
        matches: (d: Document) => (d.matchCount > 0 ? d.matches.toArray() : []),
      },
    } as never,
  });
  if (limits.graphqlMaxBytes > 0) {
    // the query's text is measured before it is parsed
    app.graphql.addHook('preParsing', async (_schema, source) => {
      const tooLarge = graphqlTooLarge(source, limits.graphqlMaxBytes);
      if (tooLarge) throw tooLarge;
    });
  }
}

function flatten(a: NdArray): number[] {
  return (a.toList() as unknown[]).flat(Number.POSITIVE_INFINITY) as number[];
}

function namedScores(scores: Record<string, NamedScore>): (NamedScore & { name: string })[] {
  return Object.entries(scores).map(([name, s]) => ({ name, ...s }));
}

/** A weft error as a GraphQL error: the message, plus its code and details in `extensions`. */
function asGraphqlError(err: unknown): Error {
  if (err instanceof WeftError) {
    return new mercurius.ErrorWithProps(err.message, { code: err.code, name: err.name, ...err.details });
  }
  return err as Error;
}

/**
 * mercurius's error answer, with a weft code on every error: syntax and validation errors (which the GraphQL
 * library raises without one) are `WEFT_BAD_REQUEST`, any other uncoded failure `WEFT_INTERNAL`.
 */
function codedErrors(
  execution: Parameters<typeof mercurius.defaultErrorFormatter>[0],
  context: Parameters<typeof mercurius.defaultErrorFormatter>[1],
): ReturnType<typeof mercurius.defaultErrorFormatter> {
  const out = mercurius.defaultErrorFormatter(execution, context);
  const fallback = out.statusCode >= 500 ? { code: 'WEFT_INTERNAL', name: 'InternalError' } : BAD_REQUEST;
  const errors = (out.response.errors ?? []).map((e) =>
    e.extensions && typeof e.extensions.code === 'string' && e.extensions.code.startsWith('WEFT_')
      ? e
      : { ...e, extensions: { ...e.extensions, ...fallback } },
  );
  return { statusCode: out.statusCode, response: { ...out.response, errors } };
}

const BAD_REQUEST = { code: 'WEFT_BAD_REQUEST', name: 'BadRequestError' };

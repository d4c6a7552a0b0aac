/**
 * GraphQL limits for the gateway's `/graphql`: the nesting depth of a query's selections (a validation rule, so
 * the answer is a GraphQL error with `extensions.code = WEFT_LIMIT_EXCEEDED`) and the size of its text (checked
 * before parsing). The Document type refers to itself (chunks, matches), so without a depth limit a query could
 * ask for any depth.
 */
import {
  type ASTNode,
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/** A validation rule refusing operations nested deeper than `maxDepth` selection sets. */
export function graphqlLimitsRule(maxDepth: number): (context: ValidationContext) => ASTVisitor {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of context.getDocument().definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    }
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, fragments, new Set(), 0, maxDepth);
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(
              `the query is nested ${depth > maxDepth + 1 ? 'more than ' : ''}${Math.min(depth, maxDepth + 1)} levels deep, over the gateway's limit of ${maxDepth} (limits.graphqlMaxDepth)`,
              {
                nodes: [node as ASTNode],
                extensions: {
                  code: 'WEFT_LIMIT_EXCEEDED',
                  name: 'LimitExceededError',
                  limit: 'graphqlMaxDepth',
                  max: maxDepth,
                },
              },
            ),
          );
        }
      },
    };
  };
}

/** The depth of `set` (1 for a flat selection); stops counting once past `max`. */
function depthOf(
  set: SelectionSetNode | undefined,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  visiting: Set<string>,
  level: number,
  max: number,
): number {
  if (!set) return level;
  if (level > max) return level;
  let deepest = level + 1;
  for (const s of set.selections) {
    let d = level + 1;
    if (s.kind === Kind.FIELD) d = depthOf(s.selectionSet, fragments, visiting, level + 1, max);
    else if (s.kind === Kind.INLINE_FRAGMENT) d = depthOf(s.selectionSet, fragments, visiting, level, max);
    else if (s.kind === Kind.FRAGMENT_SPREAD) {
      const f = fragments.get(s.name.value);
      // an unknown or cyclic fragment is the standard rules' to report
      if (f && !visiting.has(f.name.value)) {
        visiting.add(f.name.value);
        d = depthOf(f.selectionSet, fragments, visiting, level, max);
        visiting.delete(f.name.value);
      }
    }
    if (d > deepest) deepest = d;
  }
  return deepest;
}

/** The error for a query text over `maxBytes`, or undefined when it fits. */
export function graphqlTooLarge(source: string, maxBytes: number): GraphQLError | undefined {
  if (maxBytes <= 0 || source.length <= maxBytes) return undefined;
  const bytes = Buffer.byteLength(source);
  if (bytes <= maxBytes) return undefined;
  return new GraphQLError(
    `the query is ${bytes} bytes, over the gateway's limit of ${maxBytes} (limits.graphqlMaxBytes)`,
    {
      extensions: { code: 'WEFT_LIMIT_EXCEEDED', name: 'LimitExceededError', limit: 'graphqlMaxBytes', max: maxBytes },
    },
  );
}

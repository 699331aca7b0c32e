import { OUTPUT_HELPERS } from './render-budget.js';

type Program = hbs.AST.Program;
type Statement = hbs.AST.Statement;
type Mustache = hbs.AST.MustacheStatement;
type Expression = hbs.AST.Expression;

export interface MeterOptions {
  /** HTML (values escaped) or plain text (subject, text part). */
  escape: boolean;
  /** A name that is a helper: `{{name}}` calls it rather than looking the name up. */
  isHelper: (name: string) => boolean;
  /** The partial a `{{> name}}` calls in this mode (text templates call partials compiled without escaping). */
  partialName: (name: string) => string;
}

/**
 * Rewrites, in place, every value a template writes (`{{x}}`, `{{helper a b}}`, `{{{x}}}`) into a call of a
 * metered output helper (`{{__out x}}`, `{{__out (helper a b)}}`), so the render budget sees each value's
 * length as it is written. Handlebars writes values straight into its buffer, with no hook of its own; without
 * this, a few thousand references to a 16 KB attribute would write a gigabyte before anything could check it.
 */
export function meterOutput(program: Program, options: MeterOptions): Program {
  const visit = (statements: Statement[]): void => {
    for (const statement of statements) {
      const node = statement as unknown as Record<string, unknown> & { type: string };
      if (node.type === 'MustacheStatement') meterMustache(node as unknown as Mustache, options);
      if (node.type === 'PartialStatement' || node.type === 'PartialBlockStatement') {
        const name = node.name as hbs.AST.PathExpression;
        if (name.type === 'PathExpression') {
          const renamed = options.partialName(name.original);
          name.original = renamed;
          name.parts = [renamed];
        }
      }
      for (const key of ['program', 'inverse'] as const) {
        const child = node[key] as Program | undefined;
        if (child) visit(child.body);
      }
    }
  };
  visit(program.body);
  return program;
}

function meterMustache(mustache: Mustache, options: MeterOptions): void {
  const path = asPath(mustache.path);
  const callsHelper =
    mustache.params.length > 0 ||
    (mustache.hash?.pairs.length ?? 0) > 0 ||
    (path.parts.length === 1 &&
      !path.data &&
      path.depth === 0 &&
      !/^\.|this\b/.test(path.original) &&
      options.isHelper(path.parts[0]));
  const value: Expression = callsHelper
    ? ({ type: 'SubExpression', path, params: mustache.params, hash: mustache.hash, loc: mustache.loc } as Expression)
    : path;
  const helper = options.escape && mustache.escaped ? OUTPUT_HELPERS.escaped : OUTPUT_HELPERS.raw;
  mustache.path = {
    type: 'PathExpression',
    data: false,
    depth: 0,
    parts: [helper],
    original: helper,
    loc: mustache.loc,
  };
  mustache.params = [value];
  mustache.hash = undefined as unknown as hbs.AST.Hash;
}

/** `{{"name"}}`, `{{1}}`, `{{true}}` look up a property of that name, as Handlebars' compiler reads them. */
function asPath(node: hbs.AST.PathExpression | hbs.AST.Literal): hbs.AST.PathExpression {
  if (node.type === 'PathExpression') return node as hbs.AST.PathExpression;
  const original = String((node as { original?: unknown }).original);
  return { type: 'PathExpression', data: false, depth: 0, parts: [original], original, loc: node.loc };
}

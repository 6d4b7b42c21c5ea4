// Turns a Schema decoding failure into one OpenAI-style 400: the offending field as a path, a code, and a sentence
// built from the field's `description`, never a dump of the schema.
import { type ParseResult, SchemaAST } from "effect"
import { type ApiError, invalidParameter } from "./errors.ts"

type Issue = ParseResult.ParseIssue

const toArray = <A>(value: A | ReadonlyArray<A>): ReadonlyArray<A> =>
  Array.isArray(value) ? (value as ReadonlyArray<A>) : [value as A]

const describe = (ast: SchemaAST.AST): string | undefined => {
  const description = SchemaAST.getDescriptionAnnotation(ast)
  return description._tag === "Some" ? description.value : undefined
}

/** The schema node an issue failed at, where it has one. */
const astOf = (issue: Issue): SchemaAST.AST | undefined =>
  issue._tag === "Missing" || issue._tag === "Pointer" || issue._tag === "Unexpected" ? undefined : issue.ast

const describeIssue = (issue: Issue): string | undefined => {
  const ast = astOf(issue)
  return ast === undefined ? undefined : describe(ast)
}

/** A member of a union that failed on the value's kind alone, before any of its structure was looked at. */
const isShallow = (issue: Issue): boolean => {
  switch (issue._tag) {
    case "Type":
      return true
    case "Refinement":
      return issue.kind === "From" && isShallow(issue.issue)
    case "Transformation":
      return issue.kind === "Encoded" && isShallow(issue.issue)
    case "Composite":
      return SchemaAST.isUnion(issue.ast) && toArray(issue.issues).every(isShallow)
    default:
      return false
  }
}

interface Leaf {
  readonly path: ReadonlyArray<PropertyKey>
  readonly issue: Issue
  /** The description nearest below the last path step: the field's own, not a fragment of it. */
  readonly expected: string | undefined
}

const locate = (issue: Issue, path: ReadonlyArray<PropertyKey>, expected: string | undefined): Leaf => {
  if (issue._tag === "Pointer") return locate(issue.issue, [...path, ...toArray(issue.path)], undefined)
  const here = expected ?? describeIssue(issue)
  switch (issue._tag) {
    case "Refinement":
      return issue.kind === "Predicate" ? { path, issue, expected: here } : locate(issue.issue, path, here)
    case "Transformation":
      return locate(issue.issue, path, here)
    case "Composite": {
      const issues = toArray(issue.issues)
      if (!SchemaAST.isUnion(issue.ast)) return locate(issues[0]!, path, here)
      // Follow the member that got furthest (the array member of `string | array` when an element is wrong).
      const progressed = issues.find((member) => !isShallow(member))
      if (progressed !== undefined) return locate(progressed, path, here)
      const fallback = issues.map(describeIssue).find((description) => description !== undefined)
      return { path, issue, expected: here ?? fallback }
    }
    default:
      return { path, issue, expected: here }
  }
}

/** `messages[0].content`: OpenAI's way of naming a nested field. */
export const formatParam = (path: ReadonlyArray<PropertyKey>): string | null => {
  if (path.length === 0) return null
  return path
    .map((key, index) => (typeof key === "number" ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`))
    .join("")
}

type Kind = "null" | "array" | "object" | "string" | "number" | "boolean" | "undefined" | "other"

const kindOf = (value: unknown): Kind => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "array"
  const type = typeof value
  return type === "object" || type === "string" || type === "number" || type === "boolean" || type === "undefined"
    ? type
    : "other"
}

/** The kinds of value a schema node could accept, to tell a wrong type from a wrong value of the right type. */
const acceptedKinds = (ast: SchemaAST.AST): ReadonlyArray<Kind> => {
  switch (ast._tag) {
    case "Literal":
      return [kindOf(ast.literal)]
    case "StringKeyword":
    case "TemplateLiteral":
      return ["string"]
    case "NumberKeyword":
      return ["number"]
    case "BooleanKeyword":
      return ["boolean"]
    case "TupleType":
      return ["array"]
    case "TypeLiteral":
      return ["object"]
    case "Refinement":
      return acceptedKinds(ast.from)
    case "Transformation":
      return acceptedKinds(ast.from)
    case "Union":
      return ast.types.flatMap(acceptedKinds)
    default:
      return []
  }
}

const article: Record<Kind, string> = {
  null: "null",
  array: "an array",
  object: "an object",
  string: "a string",
  number: "a number",
  boolean: "a boolean",
  undefined: "nothing",
  other: "an unexpected value"
}

const preview = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** The first failure of a decode, as a 400 naming the field. */
export const issueToApiError = (issue: Issue): ApiError => {
  const { path, issue: leaf, expected = "a valid value" } = locate(issue, [], undefined)
  const param = formatParam(path)
  const name = param ?? "the request body"
  if (leaf._tag === "Missing") {
    return invalidParameter(param, `Missing required parameter: '${name}'.`, "missing_required_parameter")
  }
  const actual = leaf.actual
  const kind = kindOf(actual)
  const ast = astOf(leaf)
  const wrongType = isShallow(leaf) && ast !== undefined && !acceptedKinds(ast).includes(kind)
  return wrongType
    ? invalidParameter(
        param,
        `Invalid type for '${name}': expected ${expected}, but got ${article[kind]}.`,
        "invalid_type"
      )
    : invalidParameter(param, `Invalid value for '${name}': expected ${expected}, but got ${preview(actual)}.`)
}

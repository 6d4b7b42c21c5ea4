// Typed flag parsing on top of node:util parseArgs (strict: an unknown flag is an error, never ignored).
import { type ParseArgsConfig, parseArgs } from "node:util"
import { UsageError } from "./usage-error.ts"

type Options = NonNullable<ParseArgsConfig["options"]>

export interface ParsedFlags {
  readonly values: Record<string, string | boolean | Array<string | boolean> | undefined>
  readonly positionals: ReadonlyArray<string>
}

export const parseFlags = (
  command: string,
  args: ReadonlyArray<string>,
  options: Options,
  positionals: boolean
): ParsedFlags => {
  try {
    const parsed = parseArgs({ args: [...args], options, allowPositionals: positionals, strict: true })
    return { values: parsed.values, positionals: parsed.positionals }
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause)
    throw new UsageError({ message: `${command}: ${detail}. See: mesh ${command} --help` })
  }
}

const flagError = (command: string, flag: string, expected: string, value: string) =>
  new UsageError({ message: `${command}: --${flag} must be ${expected}, got ${JSON.stringify(value)}` })

export const stringFlag = (flags: ParsedFlags, name: string): string | undefined => {
  const value = flags.values[name]
  return typeof value === "string" ? value : undefined
}

export const stringsFlag = (flags: ParsedFlags, name: string): string[] => {
  const value = flags.values[name]
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).map(String)
}

export const booleanFlag = (flags: ParsedFlags, name: string): boolean => flags.values[name] === true

export const integerFlag = (
  command: string,
  flags: ParsedFlags,
  name: string,
  range: { readonly min: number; readonly max?: number }
): number | undefined => {
  const text = stringFlag(flags, name)
  if (text === undefined) return undefined
  const value = Number(text)
  const expected = range.max === undefined ? `an integer >= ${range.min}` : `an integer in ${range.min}..${range.max}`
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < range.min) {
    throw flagError(command, name, expected, text)
  }
  if (range.max !== undefined && value > range.max) throw flagError(command, name, expected, text)
  return value
}

export const numberFlag = (
  command: string,
  flags: ParsedFlags,
  name: string,
  range: { readonly min: number; readonly max: number }
): number | undefined => {
  const text = stringFlag(flags, name)
  if (text === undefined) return undefined
  const value = Number(text)
  if (text.trim() === "" || !Number.isFinite(value) || value < range.min || value > range.max) {
    throw flagError(command, name, `a number in [${range.min}, ${range.max}]`, text)
  }
  return value
}

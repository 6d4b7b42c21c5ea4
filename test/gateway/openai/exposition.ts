// A strict reader of the Prometheus text format 0.0.4, enough to check what gateway/metrics.ts renders.

export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Family {
  readonly name: string
  readonly help: string
  readonly type: string
  readonly samples: ReadonlyArray<Sample>
}

const unescapeHelp = (text: string): string => text.replace(/\\(\\|n)/g, (_, char) => (char === "n" ? "\n" : "\\"))

const parseValue = (text: string): number => {
  if (text === "+Inf") return Number.POSITIVE_INFINITY
  if (text === "-Inf") return Number.NEGATIVE_INFINITY
  if (text === "NaN") return Number.NaN
  const value = Number(text)
  if (text.trim() === "" || Number.isNaN(value)) throw new Error(`bad sample value ${JSON.stringify(text)}`)
  return value
}

/** `{a="x",b="y\"z"}` from `start`, the index of `{`; returns the labels and the index after `}`. */
const parseLabels = (line: string, start: number): [Record<string, string>, number] => {
  const labels: Record<string, string> = {}
  let index = start + 1
  while (line[index] !== "}") {
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(index))?.[0]
    if (name === undefined || line.slice(index + name.length, index + name.length + 2) !== '="') {
      throw new Error(`bad label at ${index} in ${line}`)
    }
    index += name.length + 2
    let value = ""
    while (line[index] !== '"') {
      const char = line[index]
      if (char === undefined || char === "\n") throw new Error(`unterminated label value in ${line}`)
      if (char === "\\") {
        const next = line[index + 1]
        if (next === "n") value += "\n"
        else if (next === "\\" || next === '"') value += next
        else throw new Error(`bad escape \\${next} in ${line}`)
        index += 2
      } else {
        value += char
        index++
      }
    }
    labels[name] = value
    index++
    if (line[index] === ",") index++
  }
  return [labels, index + 1]
}

export const parseExposition = (text: string): ReadonlyArray<Family> => {
  if (text !== "" && !text.endsWith("\n")) throw new Error("the exposition must end with a newline")
  const families: Array<{ name: string; help: string; type: string; samples: Sample[] }> = []
  for (const line of text.split("\n").slice(0, -1)) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/s.exec(line)
    if (help !== null) {
      families.push({ name: help[1]!, help: unescapeHelp(help[2]!), type: "", samples: [] })
      continue
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    const family = families.at(-1)
    if (type !== null) {
      if (family === undefined || family.name !== type[1] || family.samples.length > 0) {
        throw new Error(`TYPE out of place: ${line}`)
      }
      family.type = type[2]!
      continue
    }
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0]
    if (name === undefined || family === undefined) throw new Error(`bad line ${JSON.stringify(line)}`)
    const familyName = family.name
    const [labels, after] = line[name.length] === "{" ? parseLabels(line, name.length) : [{}, name.length]
    if (line[after] !== " ") throw new Error(`no space before the value in ${line}`)
    const suffixes = family.type === "histogram" ? ["_bucket", "_sum", "_count"] : [""]
    if (!suffixes.some((suffix) => name === `${familyName}${suffix}`)) throw new Error(`${name} outside its family`)
    family.samples.push({ name, labels, value: parseValue(line.slice(after + 1)) })
  }
  return families
}

// A tiny Prometheus registry: labelled counters, gauges and fixed-bucket histograms, rendered in the text exposition
// format 0.0.4. No dependency: the gateway needs a handful of series, not a client library.

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

/** Request and generation latencies, seconds: from a cached reply to a long generation on a slow mesh. */
export const LATENCY_BUCKETS: ReadonlyArray<number> = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

export type Labels<L extends string> = Readonly<Record<L, string>>

/** A metric without labels takes none; one with labels must be given all of them (no more). */
type LabelArgument<L extends string> = [L] extends [never] ? [] : [labels: Labels<L>]

export interface Counter<L extends string = never> {
  /** Adds `value` (default 1, never negative). */
  readonly inc: (value?: number, ...labels: LabelArgument<L>) => void
  readonly get: (...labels: LabelArgument<L>) => number
}

export interface Gauge<L extends string = never> {
  readonly set: (value: number, ...labels: LabelArgument<L>) => void
  readonly inc: (value?: number, ...labels: LabelArgument<L>) => void
  readonly dec: (value?: number, ...labels: LabelArgument<L>) => void
  readonly get: (...labels: LabelArgument<L>) => number
}

export interface Histogram<L extends string = never> {
  readonly observe: (seconds: number, ...labels: LabelArgument<L>) => void
}

export interface MetricOptions<L extends string> {
  /** `[a-zA-Z_:][a-zA-Z0-9_:]*`; counters conventionally end in `_total`. */
  readonly name: string
  readonly help: string
  readonly labelNames?: ReadonlyArray<L>
}

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds, strictly increasing and finite; `+Inf` is added. Default LATENCY_BUCKETS. */
  readonly buckets?: ReadonlyArray<number>
}

export interface MetricsRegistry {
  readonly counter: <const L extends string = never>(options: MetricOptions<L>) => Counter<L>
  readonly gauge: <const L extends string = never>(options: MetricOptions<L>) => Gauge<L>
  readonly histogram: <const L extends string = never>(options: HistogramOptions<L>) => Histogram<L>
  /** Every metric in registration order, each series in first-use order. */
  readonly render: () => string
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

export const formatSampleValue = (value: number): string => {
  if (Number.isNaN(value)) return "NaN"
  if (value === Number.POSITIVE_INFINITY) return "+Inf"
  if (value === Number.NEGATIVE_INFINITY) return "-Inf"
  return String(value)
}

const escapeHelp = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

export const escapeLabelValue = (text: string): string =>
  text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")

const labelText = (pairs: ReadonlyArray<readonly [string, string]>): string =>
  pairs.length === 0 ? "" : `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",")}}`

/** One labelled family: series keyed by their label values, in the declared label order. */
interface Family<S> {
  readonly labelNames: ReadonlyArray<string>
  readonly series: Map<string, { readonly values: ReadonlyArray<string>; readonly state: S }>
  readonly seriesFor: (labels: Readonly<Record<string, string>> | undefined) => S
}

const createFamily = <S>(name: string, labelNames: ReadonlyArray<string>, initial: () => S): Family<S> => {
  const series = new Map<string, { readonly values: ReadonlyArray<string>; readonly state: S }>()
  const seriesFor = (labels: Readonly<Record<string, string>> | undefined): S => {
    const given = labels ?? {}
    const extra = Object.keys(given).filter((key) => !labelNames.includes(key))
    const values = labelNames.map((label) => given[label])
    if (extra.length > 0 || values.some((value) => typeof value !== "string")) {
      throw new TypeError(`${name}: labels are [${Object.keys(given)}]; expected exactly [${labelNames}] as strings`)
    }
    const key = JSON.stringify(values)
    let entry = series.get(key)
    if (entry === undefined) {
      entry = { values: values as ReadonlyArray<string>, state: initial() }
      series.set(key, entry)
    }
    return entry.state
  }
  // A metric without labels exists from the start, so it renders 0 before anything happens.
  if (labelNames.length === 0) seriesFor(undefined)
  return { labelNames, series, seriesFor }
}

interface Registered {
  readonly name: string
  readonly help: string
  readonly type: "counter" | "gauge" | "histogram"
  readonly lines: () => ReadonlyArray<string>
}

const checkNames = (name: string, labelNames: ReadonlyArray<string>, reserved: ReadonlyArray<string>): void => {
  if (!METRIC_NAME.test(name)) throw new RangeError(`metric name ${JSON.stringify(name)} is not a Prometheus name`)
  for (const label of labelNames) {
    if (!LABEL_NAME.test(label) || label.startsWith("__") || reserved.includes(label)) {
      throw new RangeError(`${name}: label name ${JSON.stringify(label)} is not allowed`)
    }
  }
  if (new Set(labelNames).size !== labelNames.length) throw new RangeError(`${name}: a label name repeats`)
}

const checkBuckets = (name: string, buckets: ReadonlyArray<number>): void => {
  buckets.forEach((bound, index) => {
    if (!Number.isFinite(bound) || (index > 0 && bound <= buckets[index - 1]!)) {
      throw new RangeError(`${name}: buckets must be finite and strictly increasing; got [${buckets}]`)
    }
  })
}

export const createMetricsRegistry = (): MetricsRegistry => {
  const metrics: Registered[] = []
  const register = (metric: Registered): void => {
    if (metrics.some((existing) => existing.name === metric.name)) {
      throw new RangeError(`metric ${metric.name} is already registered`)
    }
    metrics.push(metric)
  }
  type LabelsArg = [labels?: Readonly<Record<string, string>>]

  const valueMetric = (
    type: "counter" | "gauge",
    { name, help, labelNames = [] }: MetricOptions<string>
  ): Family<{ value: number }> => {
    checkNames(name, labelNames, [])
    const family = createFamily(name, labelNames, () => ({ value: 0 }))
    const lines = () =>
      [...family.series.values()].map(({ values, state }) => {
        const pairs = values.map((value, index) => [labelNames[index]!, value] as const)
        return `${name}${labelText(pairs)} ${formatSampleValue(state.value)}`
      })
    register({ name, help, type, lines })
    return family
  }

  const counter = <const L extends string = never>(options: MetricOptions<L>): Counter<L> => {
    const family = valueMetric("counter", options)
    return {
      inc: (value = 1, ...[labels]: LabelsArg) => {
        if (!(value >= 0)) throw new RangeError(`${options.name}: a counter cannot go down (inc by ${value})`)
        family.seriesFor(labels).value += value
      },
      get: (...[labels]: LabelsArg) => family.seriesFor(labels).value
    } as Counter<L>
  }

  const gauge = <const L extends string = never>(options: MetricOptions<L>): Gauge<L> => {
    const family = valueMetric("gauge", options)
    return {
      set: (value: number, ...[labels]: LabelsArg) => {
        family.seriesFor(labels).value = value
      },
      inc: (value = 1, ...[labels]: LabelsArg) => {
        family.seriesFor(labels).value += value
      },
      dec: (value = 1, ...[labels]: LabelsArg) => {
        family.seriesFor(labels).value -= value
      },
      get: (...[labels]: LabelsArg) => family.seriesFor(labels).value
    } as Gauge<L>
  }

  const histogram = <const L extends string = never>({
    name,
    help,
    labelNames = [],
    buckets = LATENCY_BUCKETS
  }: HistogramOptions<L>): Histogram<L> => {
    checkNames(name, labelNames, ["le"])
    checkBuckets(name, buckets)
    const bounds = [...buckets]
    // Per-bucket counts, not cumulative: one increment per observation; render sums them.
    const family = createFamily(name, labelNames, () => ({
      counts: new Array<number>(bounds.length + 1).fill(0),
      sum: 0
    }))
    const lines = () =>
      [...family.series.values()].flatMap(({ values, state }) => {
        const pairs = values.map((value, index) => [labelNames[index]!, value] as const)
        let cumulative = 0
        const bucketLines = state.counts.map((count, index) => {
          cumulative += count
          const le = index < bounds.length ? formatSampleValue(bounds[index]!) : "+Inf"
          return `${name}_bucket${labelText([...pairs, ["le", le] as const])} ${cumulative}`
        })
        return [
          ...bucketLines,
          `${name}_sum${labelText(pairs)} ${formatSampleValue(state.sum)}`,
          `${name}_count${labelText(pairs)} ${cumulative}`
        ]
      })
    register({ name, help, type: "histogram", lines })
    return {
      observe: (seconds: number, ...[labels]: LabelsArg) => {
        if (Number.isNaN(seconds)) throw new RangeError(`${name}: cannot observe NaN`)
        const state = family.seriesFor(labels)
        const index = bounds.findIndex((bound) => seconds <= bound)
        state.counts[index === -1 ? bounds.length : index]! += 1
        state.sum += seconds
      }
    } as Histogram<L>
  }

  const render = (): string =>
    metrics
      .flatMap(({ name, help, type, lines }) => [
        `# HELP ${name} ${escapeHelp(help)}`,
        `# TYPE ${name} ${type}`,
        ...lines()
      ])
      .map((line) => `${line}\n`)
      .join("")

  return { counter, gauge, histogram, render }
}

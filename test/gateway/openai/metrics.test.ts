import { fc, test as property } from "@fast-check/vitest"
import { describe, expect, test } from "vitest"
import {
  createMetricsRegistry,
  escapeLabelValue,
  LATENCY_BUCKETS,
  METRICS_CONTENT_TYPE
} from "../../../gateway/metrics.ts"
import { type Family, parseExposition } from "./exposition.ts"

const family = (text: string, name: string): Family => {
  const found = parseExposition(text).find((candidate) => candidate.name === name)
  if (found === undefined) throw new Error(`no family ${name} in\n${text}`)
  return found
}

describe("counters", () => {
  test("labelled increments parse back per series; HELP and TYPE come first", () => {
    const registry = createMetricsRegistry()
    const requests = registry.counter({
      name: "mesh_gateway_requests_total",
      help: "Requests answered.",
      labelNames: ["route", "status"]
    })
    requests.inc(1, { route: "/v1/chat/completions", status: "200" })
    requests.inc(2, { status: "200", route: "/v1/chat/completions" })
    requests.inc(undefined, { route: "/v1/completions", status: "429" })
    const text = registry.render()
    expect(text.split("\n").slice(0, 2)).toStrictEqual([
      "# HELP mesh_gateway_requests_total Requests answered.",
      "# TYPE mesh_gateway_requests_total counter"
    ])
    expect(family(text, "mesh_gateway_requests_total").samples).toStrictEqual([
      { name: "mesh_gateway_requests_total", labels: { route: "/v1/chat/completions", status: "200" }, value: 3 },
      { name: "mesh_gateway_requests_total", labels: { route: "/v1/completions", status: "429" }, value: 1 }
    ])
    expect(requests.get({ route: "/v1/chat/completions", status: "200" })).toBe(3)
  })

  test("an unlabelled counter renders 0 before its first increment; a labelled one renders no series", () => {
    const registry = createMetricsRegistry()
    registry.counter({ name: "a_total", help: "A." })
    registry.counter({ name: "b_total", help: "B.", labelNames: ["x"] })
    expect(registry.render()).toBe(
      "# HELP a_total A.\n# TYPE a_total counter\na_total 0\n# HELP b_total B.\n# TYPE b_total counter\n"
    )
  })

  test("a counter never goes down; labels must be exactly the declared ones", () => {
    const registry = createMetricsRegistry()
    const plain = registry.counter({ name: "plain_total", help: "." })
    const labelled = registry.counter({ name: "labelled_total", help: ".", labelNames: ["route"] })
    expect(() => plain.inc(-1)).toThrow(RangeError)
    expect(() => plain.inc(Number.NaN)).toThrow(RangeError)
    // @ts-expect-error a labelled counter needs its labels
    expect(() => labelled.inc(1)).toThrow(TypeError)
    // @ts-expect-error no undeclared label
    expect(() => labelled.inc(1, { route: "/", extra: "x" })).toThrow(TypeError)
    // @ts-expect-error an unlabelled counter takes none
    expect(() => plain.inc(1, { route: "/" })).toThrow(TypeError)
  })
})

describe("gauges", () => {
  test("set, inc and dec", () => {
    const registry = createMetricsRegistry()
    const experts = registry.gauge({ name: "mesh_gateway_experts", help: "Live experts.", labelNames: ["model"] })
    const inFlight = registry.gauge({ name: "mesh_gateway_in_flight", help: "Generations running." })
    experts.set(5, { model: "qwen" })
    experts.dec(2, { model: "qwen" })
    inFlight.inc()
    inFlight.inc()
    inFlight.dec()
    const text = registry.render()
    expect(family(text, "mesh_gateway_experts")).toMatchObject({
      type: "gauge",
      samples: [{ labels: { model: "qwen" }, value: 3 }]
    })
    expect(family(text, "mesh_gateway_in_flight").samples).toStrictEqual([
      { name: "mesh_gateway_in_flight", labels: {}, value: 1 }
    ])
  })

  test("special values render as Prometheus spells them", () => {
    const registry = createMetricsRegistry()
    const gauge = registry.gauge({ name: "g", help: "." })
    for (const [value, spelled] of [
      [Number.POSITIVE_INFINITY, "+Inf"],
      [Number.NEGATIVE_INFINITY, "-Inf"],
      [Number.NaN, "NaN"],
      [-0.5, "-0.5"],
      [1e21, "1e+21"]
    ] as const) {
      gauge.set(value)
      expect(registry.render().split("\n")[2]).toBe(`g ${spelled}`)
    }
  })
})

describe("histograms", () => {
  test("cumulative buckets ending in +Inf, then _sum and _count", () => {
    const registry = createMetricsRegistry()
    const latency = registry.histogram({
      name: "mesh_gateway_seconds",
      help: "Latency.",
      labelNames: ["route"],
      buckets: [0.1, 1, 10]
    })
    for (const seconds of [0.05, 0.1, 0.5, 3, 100]) latency.observe(seconds, { route: "chat" })
    const text = registry.render()
    expect(text).toBe(
      [
        "# HELP mesh_gateway_seconds Latency.",
        "# TYPE mesh_gateway_seconds histogram",
        'mesh_gateway_seconds_bucket{route="chat",le="0.1"} 2',
        'mesh_gateway_seconds_bucket{route="chat",le="1"} 3',
        'mesh_gateway_seconds_bucket{route="chat",le="10"} 4',
        'mesh_gateway_seconds_bucket{route="chat",le="+Inf"} 5',
        'mesh_gateway_seconds_sum{route="chat"} 103.65',
        'mesh_gateway_seconds_count{route="chat"} 5',
        ""
      ].join("\n")
    )
  })

  test("an unlabelled histogram renders zeros from the start, with the default buckets", () => {
    const registry = createMetricsRegistry()
    registry.histogram({ name: "h_seconds", help: "." })
    const samples = family(registry.render(), "h_seconds").samples
    expect(samples).toHaveLength(LATENCY_BUCKETS.length + 3)
    expect(samples.every((sample) => sample.value === 0)).toBe(true)
  })

  property.prop([
    fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { maxLength: 60 }),
    fc.uniqueArray(fc.double({ min: 0.001, max: 50, noNaN: true }), { minLength: 1, maxLength: 8 })
  ])("every bucket counts the observations at or under its bound", (observations, unsorted) => {
    const buckets = [...unsorted].sort((a, b) => a - b)
    const registry = createMetricsRegistry()
    const histogram = registry.histogram({ name: "p_seconds", help: ".", buckets })
    for (const seconds of observations) histogram.observe(seconds)
    const samples = family(registry.render(), "p_seconds").samples
    const bucketSamples = samples.filter((sample) => sample.name === "p_seconds_bucket")
    expect(
      bucketSamples.map((sample) => Number(sample.labels.le === "+Inf" ? Infinity : sample.labels.le))
    ).toStrictEqual([...buckets, Infinity])
    bucketSamples.forEach((sample, index) => {
      const bound = buckets[index] ?? Infinity
      expect(sample.value).toBe(observations.filter((seconds) => seconds <= bound).length)
    })
    const sum = samples.find((sample) => sample.name === "p_seconds_sum")!.value
    expect(sum).toBeCloseTo(
      observations.reduce((total, seconds) => total + seconds, 0),
      6
    )
    expect(samples.find((sample) => sample.name === "p_seconds_count")?.value).toBe(observations.length)
  })

  test("buckets must be finite and strictly increasing; le is reserved; NaN is refused", () => {
    const registry = createMetricsRegistry()
    expect(() => registry.histogram({ name: "a", help: ".", buckets: [1, 1] })).toThrow(RangeError)
    expect(() => registry.histogram({ name: "b", help: ".", buckets: [2, 1] })).toThrow(RangeError)
    expect(() => registry.histogram({ name: "c", help: ".", buckets: [1, Infinity] })).toThrow(RangeError)
    expect(() => registry.histogram({ name: "d", help: ".", labelNames: ["le"] })).toThrow(RangeError)
    expect(() => registry.histogram({ name: "e", help: "." }).observe(Number.NaN)).toThrow(RangeError)
  })
})

describe("escaping", () => {
  test("label values escape backslash, quote and newline; HELP escapes backslash and newline", () => {
    const registry = createMetricsRegistry()
    const counter = registry.counter({ name: "esc_total", help: 'Path C:\\x\nsecond "line"', labelNames: ["v"] })
    counter.inc(1, { v: 'a\\b"c\nd' })
    expect(registry.render()).toBe(
      '# HELP esc_total Path C:\\\\x\\nsecond "line"\n# TYPE esc_total counter\nesc_total{v="a\\\\b\\"c\\nd"} 1\n'
    )
    expect(family(registry.render(), "esc_total")).toMatchObject({
      help: 'Path C:\\x\nsecond "line"',
      samples: [{ labels: { v: 'a\\b"c\nd' } }]
    })
    expect(escapeLabelValue("plain")).toBe("plain")
  })

  property.prop([
    fc.array(fc.string({ unit: "binary" }), { minLength: 1, maxLength: 10 }),
    fc.string({ unit: "binary" })
  ])("any label values and help text parse back unchanged", (values, help) => {
    const registry = createMetricsRegistry()
    const counter = registry.counter({ name: "any_total", help, labelNames: ["v"] })
    for (const value of values) counter.inc(1, { v: value })
    const parsed = family(registry.render(), "any_total")
    expect(parsed.help).toBe(help)
    const expected = new Map<string, number>()
    for (const value of values) expected.set(value, (expected.get(value) ?? 0) + 1)
    expect(parsed.samples.map((sample) => [sample.labels.v, sample.value])).toStrictEqual([...expected])
  })
})

describe("the registry", () => {
  test("names are checked and unique; the content type is version 0.0.4", () => {
    const registry = createMetricsRegistry()
    registry.counter({ name: "once_total", help: "." })
    expect(() => registry.gauge({ name: "once_total", help: "." })).toThrow(/already registered/)
    expect(() => registry.counter({ name: "1bad", help: "." })).toThrow(RangeError)
    expect(() => registry.counter({ name: "ok_total", help: ".", labelNames: ["__reserved"] })).toThrow(RangeError)
    expect(() => registry.counter({ name: "ok2_total", help: ".", labelNames: ["bad-label"] })).toThrow(RangeError)
    expect(() => registry.counter({ name: "ok3_total", help: ".", labelNames: ["a", "a"] })).toThrow(RangeError)
    expect(METRICS_CONTENT_TYPE).toBe("text/plain; version=0.0.4; charset=utf-8")
  })

  test("families render in registration order", () => {
    const registry = createMetricsRegistry()
    registry.gauge({ name: "z", help: "." })
    registry.counter({ name: "a_total", help: "." })
    expect(parseExposition(registry.render()).map((parsed) => parsed.name)).toStrictEqual(["z", "a_total"])
  })
})

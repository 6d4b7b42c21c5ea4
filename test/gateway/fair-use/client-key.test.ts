import { isIP } from "node:net"
import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { clientKey } from "../../../gateway/fair-use/client-key.ts"

const isUnparsable = (key: string): boolean => key.startsWith("unparsable:")

const group = fc.nat({ max: 0xffff })
const groups = fc.array(group, { minLength: 8, maxLength: 8 })
const octets = fc.array(fc.nat({ max: 255 }), { minLength: 4, maxLength: 4 })

/** The WHATWG URL parser's canonical (RFC 5952, compressed) spelling: an independent formatter to compare against. */
const canonical = (address: string): string => new URL(`http://[${address}]/`).hostname.slice(1, -1)
const fullForm = (values: ReadonlyArray<number>): string =>
  values.map((value) => value.toString(16).padStart(4, "0")).join(":")

describe("clientKey", () => {
  test.each([
    ["203.0.113.7", "203.0.113.7"],
    ["0.0.0.0", "0.0.0.0"],
    ["255.255.255.255", "255.255.255.255"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["::FFFF:CB00:7107", "203.0.113.7"],
    ["0:0:0:0:0:ffff:203.0.113.7", "203.0.113.7"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["2001:db8:0:0:ffff::2", "2001:db8:0:0::/64"],
    ["2001:DB8::ABCD", "2001:db8:0:0::/64"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8:0:0::/64"],
    ["2001:db8:0:1::1", "2001:db8:0:1::/64"],
    ["2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", "2001:db8:aaaa:bbbb::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["FE80::2%25", "fe80:0:0:0::/64"],
    // IPv4-compatible (deprecated), not IPv4-mapped: an ordinary IPv6 address.
    ["::1.2.3.4", "0:0:0:0::/64"],
    ["1:2:3:4:5:6:7::", "1:2:3:4::/64"],
    ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4::/64"]
  ])("%s is keyed as %s", (ip, key) => {
    expect(clientKey(ip)).toBe(key)
  })

  const unparsable = [
    "",
    "localhost",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.4%eth0",
    " 1.2.3.4",
    "[::1]",
    "1::2::3",
    ":::",
    ":1::",
    "1:2:3:4:5:6:7:8:9",
    "1::2:3:4:5:6:7:8",
    "12345::",
    "g::1",
    "fe80::1%",
    "1.2.3.4::",
    "::ffff:1.2.3.256"
  ]

  test.each(unparsable)("%j is unparsable, and its key is its own", (ip) => {
    expect(isIP(ip)).toBe(0)
    expect(clientKey(ip)).toBe(`unparsable:${ip}`)
  })

  test("an unparsable key is capped in length", () => {
    expect(clientKey("x".repeat(10_000))).toBe(`unparsable:${"x".repeat(64)}`)
  })

  test("every spelling of an IPv6 address gives the key of its /64", () => {
    fc.assert(
      fc.property(groups, fc.constantFrom("", "%eth0", "%1"), (values, zone) => {
        const mapped = values.slice(0, 5).every((value) => value === 0) && values[5] === 0xffff
        const expected = mapped
          ? [values[6]! >> 8, values[6]! & 0xff, values[7]! >> 8, values[7]! & 0xff].join(".")
          : `${values
              .slice(0, 4)
              .map((value) => value.toString(16))
              .join(":")}::/64`
        const full = fullForm(values)
        for (const spelling of [full, full.toUpperCase(), canonical(full), canonical(full).toUpperCase()]) {
          expect(clientKey(spelling + zone)).toBe(expected)
        }
      }),
      { numRuns: 500 }
    )
  })

  test("addresses within one /64 share a key, and differing above it never do", () => {
    fc.assert(
      fc.property(groups, groups, (first, second) => {
        fc.pre(first[0] !== 0 && second[0] !== 0)
        const samePrefix = [...first.slice(0, 4), ...second.slice(4)]
        expect(clientKey(canonical(fullForm(samePrefix)))).toBe(clientKey(fullForm(first)))
        const sharesPrefix = first.slice(0, 4).every((value, index) => value === second[index])
        expect(clientKey(fullForm(first)) === clientKey(fullForm(second))).toBe(sharesPrefix)
      })
    )
  })

  test("an IPv4 address and its IPv4-mapped IPv6 spellings share a key", () => {
    fc.assert(
      fc.property(octets, (values) => {
        const ipv4 = values.join(".")
        const high = ((values[0]! << 8) | values[1]!).toString(16)
        const low = ((values[2]! << 8) | values[3]!).toString(16)
        expect(clientKey(ipv4)).toBe(ipv4)
        expect(clientKey(`::ffff:${ipv4}`)).toBe(ipv4)
        expect(clientKey(`::ffff:${high}:${low}`)).toBe(ipv4)
        expect(clientKey(`0:0:0:0:0:FFFF:${high}:${low}`)).toBe(ipv4)
      })
    )
  })

  test("parses exactly what node:net accepts as an IP address, and never throws", () => {
    const addressish = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF:.".split("")), maxLength: 20 })
    const nearValid = fc.oneof(
      groups.map((values) => canonical(fullForm(values))),
      octets.map((values) => values.join("."))
    )
    // Mutations of valid addresses land near the boundary, where random strings rarely go.
    const mutated = fc
      .tuple(nearValid, fc.nat(), fc.constantFrom("", ":", ".", "0", "f", "::", "1.2"))
      .map(([address, at, insert]) => {
        const index = at % (address.length + 1)
        return address.slice(0, index) + insert + address.slice(index + 1)
      })
    fc.assert(
      fc.property(fc.oneof(addressish, nearValid, mutated), (text) => {
        expect(isUnparsable(clientKey(text))).toBe(isIP(text) === 0)
      }),
      { numRuns: 2000 }
    )
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 100 }), (text) => {
        expect(typeof clientKey(text)).toBe("string")
      })
    )
  })
})

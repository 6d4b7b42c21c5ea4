import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Announcement {
  manifest?: SignedManifest
  heartbeat?: Heartbeat
}

export namespace Announcement {
  let _codec: Codec<Announcement>

  export const codec = (): Codec<Announcement> => {
    if (_codec == null) {
      _codec = message<Announcement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.manifest != null) {
          w.uint32(10)
          SignedManifest.codec().encode(obj.manifest, w)
        }

        if (obj.heartbeat != null) {
          w.uint32(18)
          Heartbeat.codec().encode(obj.heartbeat, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.manifest = SignedManifest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.manifest
              })
              break
            }
            case 2: {
              obj.heartbeat = Heartbeat.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.heartbeat
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * SignedManifest.codec().stream(reader, reader.uint32(), `${prefix}.manifest`, {
                limits: opts.limits?.manifest
              })

              break
            }
            case 2: {
              yield * Heartbeat.codec().stream(reader, reader.uint32(), `${prefix}.heartbeat`, {
                limits: opts.limits?.heartbeat
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AnnouncementManifestBodyFieldEvent {
    field: '$.manifest.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementManifestSignatureFieldEvent {
    field: '$.manifest.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementHeartbeatSeqFieldEvent {
    field: '$.heartbeat.seq'
    value: bigint
  }

  export interface AnnouncementHeartbeatOpenSessionsFieldEvent {
    field: '$.heartbeat.openSessions'
    value: number
  }

  export interface AnnouncementHeartbeatMaxSessionsFieldEvent {
    field: '$.heartbeat.maxSessions'
    value: number
  }

  export interface AnnouncementHeartbeatQueueFieldEvent {
    field: '$.heartbeat.queue'
    value: number
  }

  export interface AnnouncementHeartbeatIntervalMsFieldEvent {
    field: '$.heartbeat.intervalMs'
    value: number
  }

  export function encode (obj: Partial<Announcement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Announcement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement>): Announcement {
    return decodeMessage(buf, Announcement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement>): Generator<AnnouncementManifestBodyFieldEvent | AnnouncementManifestSignatureFieldEvent | AnnouncementHeartbeatSeqFieldEvent | AnnouncementHeartbeatOpenSessionsFieldEvent | AnnouncementHeartbeatMaxSessionsFieldEvent | AnnouncementHeartbeatQueueFieldEvent | AnnouncementHeartbeatIntervalMsFieldEvent> {
    return streamMessage(buf, Announcement.codec(), opts)
  }
}

export interface SignedManifest {
  body: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedManifest {
  let _codec: Codec<SignedManifest>

  export const codec = (): Codec<SignedManifest> => {
    if (_codec == null) {
      _codec = message<SignedManifest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.body)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          body: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.body = reader.bytes()
              break
            }
            case 2: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignedManifestBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedManifestSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedManifest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedManifest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedManifest>): SignedManifest {
    return decodeMessage(buf, SignedManifest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedManifest>): Generator<SignedManifestBodyFieldEvent | SignedManifestSignatureFieldEvent> {
    return streamMessage(buf, SignedManifest.codec(), opts)
  }
}

export interface ManifestBody {
  peerId: string
  manifest: Uint8Array<ArrayBuffer>
  addresses: string[]
  issuedAtMs: bigint
}

export namespace ManifestBody {
  let _codec: Codec<ManifestBody>

  export const codec = (): Codec<ManifestBody> => {
    if (_codec == null) {
      _codec = message<ManifestBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.manifest != null && obj.manifest.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.manifest)
        }

        if (obj.addresses != null && obj.addresses.length > 0) {
          for (const value of obj.addresses) {
            w.uint32(26)
            w.string(value)
          }
        }

        if ((obj.issuedAtMs != null && obj.issuedAtMs !== 0n)) {
          w.uint32(32)
          w.uint64(obj.issuedAtMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          manifest: uint8ArrayAlloc(0),
          addresses: [],
          issuedAtMs: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.manifest = reader.bytes()
              break
            }
            case 3: {
              if (opts.limits?.addresses != null && obj.addresses.length === opts.limits.addresses) {
                throw new MaxLengthError('Decode error - repeated field "addresses" had too many elements')
              }

              obj.addresses.push(reader.string())
              break
            }
            case 4: {
              obj.issuedAtMs = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addresses: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.manifest`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              if (opts.limits?.addresses != null && obj.addresses === opts.limits.addresses) {
                throw new MaxLengthError('Streaming decode error - repeated field "addresses" had too many elements')
              }

              yield {
                field: `${prefix}.addresses[]`,
                index: obj.addresses,
                value: reader.string()
              }

              obj.addresses++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.issuedAtMs`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ManifestBodyPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface ManifestBodyManifestFieldEvent {
    field: '$.manifest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ManifestBodyAddressesFieldEvent {
    field: '$.addresses[]'
    index: number
    value: string
  }

  export interface ManifestBodyIssuedAtMsFieldEvent {
    field: '$.issuedAtMs'
    value: bigint
  }

  export function encode (obj: Partial<ManifestBody>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ManifestBody.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ManifestBody>): ManifestBody {
    return decodeMessage(buf, ManifestBody.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ManifestBody>): Generator<ManifestBodyPeerIdFieldEvent | ManifestBodyManifestFieldEvent | ManifestBodyAddressesFieldEvent | ManifestBodyIssuedAtMsFieldEvent> {
    return streamMessage(buf, ManifestBody.codec(), opts)
  }
}

export interface Heartbeat {
  seq: bigint
  openSessions: number
  maxSessions: number
  queue: number
  intervalMs: number
}

export namespace Heartbeat {
  let _codec: Codec<Heartbeat>

  export const codec = (): Codec<Heartbeat> => {
    if (_codec == null) {
      _codec = message<Heartbeat>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(8)
          w.uint64(obj.seq)
        }

        if ((obj.openSessions != null && obj.openSessions !== 0)) {
          w.uint32(16)
          w.uint32(obj.openSessions)
        }

        if ((obj.maxSessions != null && obj.maxSessions !== 0)) {
          w.uint32(24)
          w.uint32(obj.maxSessions)
        }

        if ((obj.queue != null && obj.queue !== 0)) {
          w.uint32(32)
          w.uint32(obj.queue)
        }

        if ((obj.intervalMs != null && obj.intervalMs !== 0)) {
          w.uint32(40)
          w.uint32(obj.intervalMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0n,
          openSessions: 0,
          maxSessions: 0,
          queue: 0,
          intervalMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64()
              break
            }
            case 2: {
              obj.openSessions = reader.uint32()
              break
            }
            case 3: {
              obj.maxSessions = reader.uint32()
              break
            }
            case 4: {
              obj.queue = reader.uint32()
              break
            }
            case 5: {
              obj.intervalMs = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.openSessions`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.maxSessions`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.queue`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.intervalMs`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HeartbeatSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface HeartbeatOpenSessionsFieldEvent {
    field: '$.openSessions'
    value: number
  }

  export interface HeartbeatMaxSessionsFieldEvent {
    field: '$.maxSessions'
    value: number
  }

  export interface HeartbeatQueueFieldEvent {
    field: '$.queue'
    value: number
  }

  export interface HeartbeatIntervalMsFieldEvent {
    field: '$.intervalMs'
    value: number
  }

  export function encode (obj: Partial<Heartbeat>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Heartbeat.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Heartbeat>): Heartbeat {
    return decodeMessage(buf, Heartbeat.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Heartbeat>): Generator<HeartbeatSeqFieldEvent | HeartbeatOpenSessionsFieldEvent | HeartbeatMaxSessionsFieldEvent | HeartbeatQueueFieldEvent | HeartbeatIntervalMsFieldEvent> {
    return streamMessage(buf, Heartbeat.codec(), opts)
  }
}

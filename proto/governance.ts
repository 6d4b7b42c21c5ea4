import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface HaltMesh {
  chainId: bigint
  killSwitch: Uint8Array<ArrayBuffer>
  haltNumber: bigint
  issuedAtMs: bigint
  reason: string
  signature: Uint8Array<ArrayBuffer>
}

export namespace HaltMesh {
  let _codec: Codec<HaltMesh>

  export const codec = (): Codec<HaltMesh> => {
    if (_codec == null) {
      _codec = message<HaltMesh>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.chainId != null && obj.chainId !== 0n)) {
          w.uint32(8)
          w.uint64(obj.chainId)
        }

        if ((obj.killSwitch != null && obj.killSwitch.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.killSwitch)
        }

        if ((obj.haltNumber != null && obj.haltNumber !== 0n)) {
          w.uint32(24)
          w.uint64(obj.haltNumber)
        }

        if ((obj.issuedAtMs != null && obj.issuedAtMs !== 0n)) {
          w.uint32(32)
          w.uint64(obj.issuedAtMs)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(42)
          w.string(obj.reason)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chainId: 0n,
          killSwitch: uint8ArrayAlloc(0),
          haltNumber: 0n,
          issuedAtMs: 0n,
          reason: '',
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.chainId = reader.uint64()
              break
            }
            case 2: {
              obj.killSwitch = reader.bytes()
              break
            }
            case 3: {
              obj.haltNumber = reader.uint64()
              break
            }
            case 4: {
              obj.issuedAtMs = reader.uint64()
              break
            }
            case 5: {
              obj.reason = reader.string()
              break
            }
            case 6: {
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
                field: `${prefix}.chainId`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.killSwitch`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.haltNumber`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.issuedAtMs`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            case 6: {
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

  export interface HaltMeshChainIdFieldEvent {
    field: '$.chainId'
    value: bigint
  }

  export interface HaltMeshKillSwitchFieldEvent {
    field: '$.killSwitch'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HaltMeshHaltNumberFieldEvent {
    field: '$.haltNumber'
    value: bigint
  }

  export interface HaltMeshIssuedAtMsFieldEvent {
    field: '$.issuedAtMs'
    value: bigint
  }

  export interface HaltMeshReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export interface HaltMeshSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<HaltMesh>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HaltMesh.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaltMesh>): HaltMesh {
    return decodeMessage(buf, HaltMesh.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaltMesh>): Generator<HaltMeshChainIdFieldEvent | HaltMeshKillSwitchFieldEvent | HaltMeshHaltNumberFieldEvent | HaltMeshIssuedAtMsFieldEvent | HaltMeshReasonFieldEvent | HaltMeshSignatureFieldEvent> {
    return streamMessage(buf, HaltMesh.codec(), opts)
  }
}

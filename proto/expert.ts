/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Frame {
  manifestRequest?: ManifestRequest
  manifest?: Manifest
  openSession?: OpenSession
  step?: Step
  stepResult?: StepResult
  closeSession?: CloseSession
  error?: Error
  parkSession?: ParkSession
}

export namespace Frame {
  let _codec: Codec<Frame>

  export const codec = (): Codec<Frame> => {
    if (_codec == null) {
      _codec = message<Frame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.manifestRequest != null) {
          w.uint32(10)
          ManifestRequest.codec().encode(obj.manifestRequest, w)
        }

        if (obj.manifest != null) {
          w.uint32(18)
          Manifest.codec().encode(obj.manifest, w)
        }

        if (obj.openSession != null) {
          w.uint32(26)
          OpenSession.codec().encode(obj.openSession, w)
        }

        if (obj.step != null) {
          w.uint32(34)
          Step.codec().encode(obj.step, w)
        }

        if (obj.stepResult != null) {
          w.uint32(42)
          StepResult.codec().encode(obj.stepResult, w)
        }

        if (obj.closeSession != null) {
          w.uint32(50)
          CloseSession.codec().encode(obj.closeSession, w)
        }

        if (obj.error != null) {
          w.uint32(58)
          Error.codec().encode(obj.error, w)
        }

        if (obj.parkSession != null) {
          w.uint32(66)
          ParkSession.codec().encode(obj.parkSession, w)
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
              obj.manifestRequest = ManifestRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.manifestRequest
              })
              break
            }
            case 2: {
              obj.manifest = Manifest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.manifest
              })
              break
            }
            case 3: {
              obj.openSession = OpenSession.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.openSession
              })
              break
            }
            case 4: {
              obj.step = Step.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.step
              })
              break
            }
            case 5: {
              obj.stepResult = StepResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.stepResult
              })
              break
            }
            case 6: {
              obj.closeSession = CloseSession.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.closeSession
              })
              break
            }
            case 7: {
              obj.error = Error.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            case 8: {
              obj.parkSession = ParkSession.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.parkSession
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
              yield * ManifestRequest.codec().stream(reader, reader.uint32(), `${prefix}.manifestRequest`, {
                limits: opts.limits?.manifestRequest
              })

              break
            }
            case 2: {
              yield * Manifest.codec().stream(reader, reader.uint32(), `${prefix}.manifest`, {
                limits: opts.limits?.manifest
              })

              break
            }
            case 3: {
              yield * OpenSession.codec().stream(reader, reader.uint32(), `${prefix}.openSession`, {
                limits: opts.limits?.openSession
              })

              break
            }
            case 4: {
              yield * Step.codec().stream(reader, reader.uint32(), `${prefix}.step`, {
                limits: opts.limits?.step
              })

              break
            }
            case 5: {
              yield * StepResult.codec().stream(reader, reader.uint32(), `${prefix}.stepResult`, {
                limits: opts.limits?.stepResult
              })

              break
            }
            case 6: {
              yield * CloseSession.codec().stream(reader, reader.uint32(), `${prefix}.closeSession`, {
                limits: opts.limits?.closeSession
              })

              break
            }
            case 7: {
              yield * Error.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

              break
            }
            case 8: {
              yield * ParkSession.codec().stream(reader, reader.uint32(), `${prefix}.parkSession`, {
                limits: opts.limits?.parkSession
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

  export interface FrameManifestModelNameFieldEvent {
    field: '$.manifest.modelName'
    value: string
  }

  export interface FrameManifestFileSha256FieldEvent {
    field: '$.manifest.fileSha256'
    value: string
  }

  export interface FrameManifestTokenizerHashFieldEvent {
    field: '$.manifest.tokenizerHash'
    value: string
  }

  export interface FrameManifestArchitectureFieldEvent {
    field: '$.manifest.architecture'
    value: string
  }

  export interface FrameManifestParametersFieldEvent {
    field: '$.manifest.parameters'
    value: bigint
  }

  export interface FrameManifestQuantizationFieldEvent {
    field: '$.manifest.quantization'
    value: string
  }

  export interface FrameManifestContextSizeFieldEvent {
    field: '$.manifest.contextSize'
    value: number
  }

  export interface FrameManifestVocabSizeFieldEvent {
    field: '$.manifest.vocabSize'
    value: number
  }

  export interface FrameManifestMaxSessionsFieldEvent {
    field: '$.manifest.maxSessions'
    value: number
  }

  export interface FrameManifestMaxTopKFieldEvent {
    field: '$.manifest.maxTopK'
    value: number
  }

  export interface FrameManifestAddBosFieldEvent {
    field: '$.manifest.addBos'
    value: boolean
  }

  export interface FrameManifestBosTokenFieldEvent {
    field: '$.manifest.bosToken'
    value: number
  }

  export interface FrameManifestEosTokenFieldEvent {
    field: '$.manifest.eosToken'
    value: number
  }

  export interface FrameOpenSessionSessionIdFieldEvent {
    field: '$.openSession.sessionId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameOpenSessionPromptFieldEvent {
    field: '$.openSession.prompt'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameOpenSessionTopKFieldEvent {
    field: '$.openSession.topK'
    value: number
  }

  export interface FrameOpenSessionTokenizerHashFieldEvent {
    field: '$.openSession.tokenizerHash'
    value: string
  }

  export interface FrameStepSessionIdFieldEvent {
    field: '$.step.sessionId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameStepTokensFieldEvent {
    field: '$.step.tokens'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameStepAllowedTokensFieldEvent {
    field: '$.step.allowedTokens'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameStepKeepFieldEvent {
    field: '$.step.keep'
    value: number
  }

  export interface FrameStepResultTokensFieldEvent {
    field: '$.stepResult.tokens'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameStepResultLogprobDeltasFieldEvent {
    field: '$.stepResult.logprobDeltas'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameStepResultResidualFieldEvent {
    field: '$.stepResult.residual'
    value: number
  }

  export interface FrameCloseSessionSessionIdFieldEvent {
    field: '$.closeSession.sessionId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameErrorCodeFieldEvent {
    field: '$.error.code'
    value: number
  }

  export interface FrameErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export interface FrameParkSessionSessionIdFieldEvent {
    field: '$.parkSession.sessionId'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Frame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Frame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Frame {
    return decodeMessage(buf, Frame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Generator<FrameManifestModelNameFieldEvent | FrameManifestFileSha256FieldEvent | FrameManifestTokenizerHashFieldEvent | FrameManifestArchitectureFieldEvent | FrameManifestParametersFieldEvent | FrameManifestQuantizationFieldEvent | FrameManifestContextSizeFieldEvent | FrameManifestVocabSizeFieldEvent | FrameManifestMaxSessionsFieldEvent | FrameManifestMaxTopKFieldEvent | FrameManifestAddBosFieldEvent | FrameManifestBosTokenFieldEvent | FrameManifestEosTokenFieldEvent | FrameOpenSessionSessionIdFieldEvent | FrameOpenSessionPromptFieldEvent | FrameOpenSessionTopKFieldEvent | FrameOpenSessionTokenizerHashFieldEvent | FrameStepSessionIdFieldEvent | FrameStepTokensFieldEvent | FrameStepAllowedTokensFieldEvent | FrameStepKeepFieldEvent | FrameStepResultTokensFieldEvent | FrameStepResultLogprobDeltasFieldEvent | FrameStepResultResidualFieldEvent | FrameCloseSessionSessionIdFieldEvent | FrameErrorCodeFieldEvent | FrameErrorMessageFieldEvent | FrameParkSessionSessionIdFieldEvent> {
    return streamMessage(buf, Frame.codec(), opts)
  }
}

export interface ManifestRequest {}

export namespace ManifestRequest {
  let _codec: Codec<ManifestRequest>

  export const codec = (): Codec<ManifestRequest> => {
    if (_codec == null) {
      _codec = message<ManifestRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
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

  export function encode (obj: Partial<ManifestRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ManifestRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ManifestRequest>): ManifestRequest {
    return decodeMessage(buf, ManifestRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ManifestRequest>): Generator<{}> {
    return streamMessage(buf, ManifestRequest.codec(), opts)
  }
}

export interface Manifest {
  modelName: string
  fileSha256: string
  tokenizerHash: string
  architecture: string
  parameters: bigint
  quantization: string
  contextSize: number
  vocabSize: number
  maxSessions: number
  maxTopK: number
  addBos: boolean
  bosToken: number
  eosToken: number
}

export namespace Manifest {
  let _codec: Codec<Manifest>

  export const codec = (): Codec<Manifest> => {
    if (_codec == null) {
      _codec = message<Manifest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.modelName != null && obj.modelName !== '')) {
          w.uint32(10)
          w.string(obj.modelName)
        }

        if ((obj.fileSha256 != null && obj.fileSha256 !== '')) {
          w.uint32(18)
          w.string(obj.fileSha256)
        }

        if ((obj.tokenizerHash != null && obj.tokenizerHash !== '')) {
          w.uint32(26)
          w.string(obj.tokenizerHash)
        }

        if ((obj.architecture != null && obj.architecture !== '')) {
          w.uint32(34)
          w.string(obj.architecture)
        }

        if ((obj.parameters != null && obj.parameters !== 0n)) {
          w.uint32(40)
          w.uint64(obj.parameters)
        }

        if ((obj.quantization != null && obj.quantization !== '')) {
          w.uint32(50)
          w.string(obj.quantization)
        }

        if ((obj.contextSize != null && obj.contextSize !== 0)) {
          w.uint32(56)
          w.uint32(obj.contextSize)
        }

        if ((obj.vocabSize != null && obj.vocabSize !== 0)) {
          w.uint32(64)
          w.uint32(obj.vocabSize)
        }

        if ((obj.maxSessions != null && obj.maxSessions !== 0)) {
          w.uint32(72)
          w.uint32(obj.maxSessions)
        }

        if ((obj.maxTopK != null && obj.maxTopK !== 0)) {
          w.uint32(80)
          w.uint32(obj.maxTopK)
        }

        if ((obj.addBos != null && obj.addBos !== false)) {
          w.uint32(88)
          w.bool(obj.addBos)
        }

        if ((obj.bosToken != null && obj.bosToken !== 0)) {
          w.uint32(96)
          w.uint32(obj.bosToken)
        }

        if ((obj.eosToken != null && obj.eosToken !== 0)) {
          w.uint32(104)
          w.uint32(obj.eosToken)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          modelName: '',
          fileSha256: '',
          tokenizerHash: '',
          architecture: '',
          parameters: 0n,
          quantization: '',
          contextSize: 0,
          vocabSize: 0,
          maxSessions: 0,
          maxTopK: 0,
          addBos: false,
          bosToken: 0,
          eosToken: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.modelName = reader.string()
              break
            }
            case 2: {
              obj.fileSha256 = reader.string()
              break
            }
            case 3: {
              obj.tokenizerHash = reader.string()
              break
            }
            case 4: {
              obj.architecture = reader.string()
              break
            }
            case 5: {
              obj.parameters = reader.uint64()
              break
            }
            case 6: {
              obj.quantization = reader.string()
              break
            }
            case 7: {
              obj.contextSize = reader.uint32()
              break
            }
            case 8: {
              obj.vocabSize = reader.uint32()
              break
            }
            case 9: {
              obj.maxSessions = reader.uint32()
              break
            }
            case 10: {
              obj.maxTopK = reader.uint32()
              break
            }
            case 11: {
              obj.addBos = reader.bool()
              break
            }
            case 12: {
              obj.bosToken = reader.uint32()
              break
            }
            case 13: {
              obj.eosToken = reader.uint32()
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
                field: `${prefix}.modelName`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.fileSha256`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.tokenizerHash`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.architecture`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.parameters`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.quantization`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.contextSize`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.vocabSize`,
                value: reader.uint32()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.maxSessions`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.maxTopK`,
                value: reader.uint32()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.addBos`,
                value: reader.bool()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.bosToken`,
                value: reader.uint32()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.eosToken`,
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

  export interface ManifestModelNameFieldEvent {
    field: '$.modelName'
    value: string
  }

  export interface ManifestFileSha256FieldEvent {
    field: '$.fileSha256'
    value: string
  }

  export interface ManifestTokenizerHashFieldEvent {
    field: '$.tokenizerHash'
    value: string
  }

  export interface ManifestArchitectureFieldEvent {
    field: '$.architecture'
    value: string
  }

  export interface ManifestParametersFieldEvent {
    field: '$.parameters'
    value: bigint
  }

  export interface ManifestQuantizationFieldEvent {
    field: '$.quantization'
    value: string
  }

  export interface ManifestContextSizeFieldEvent {
    field: '$.contextSize'
    value: number
  }

  export interface ManifestVocabSizeFieldEvent {
    field: '$.vocabSize'
    value: number
  }

  export interface ManifestMaxSessionsFieldEvent {
    field: '$.maxSessions'
    value: number
  }

  export interface ManifestMaxTopKFieldEvent {
    field: '$.maxTopK'
    value: number
  }

  export interface ManifestAddBosFieldEvent {
    field: '$.addBos'
    value: boolean
  }

  export interface ManifestBosTokenFieldEvent {
    field: '$.bosToken'
    value: number
  }

  export interface ManifestEosTokenFieldEvent {
    field: '$.eosToken'
    value: number
  }

  export function encode (obj: Partial<Manifest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Manifest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Manifest {
    return decodeMessage(buf, Manifest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Generator<ManifestModelNameFieldEvent | ManifestFileSha256FieldEvent | ManifestTokenizerHashFieldEvent | ManifestArchitectureFieldEvent | ManifestParametersFieldEvent | ManifestQuantizationFieldEvent | ManifestContextSizeFieldEvent | ManifestVocabSizeFieldEvent | ManifestMaxSessionsFieldEvent | ManifestMaxTopKFieldEvent | ManifestAddBosFieldEvent | ManifestBosTokenFieldEvent | ManifestEosTokenFieldEvent> {
    return streamMessage(buf, Manifest.codec(), opts)
  }
}

export interface OpenSession {
  sessionId: Uint8Array<ArrayBuffer>
  prompt: Uint8Array<ArrayBuffer>
  topK: number
  tokenizerHash: string
}

export namespace OpenSession {
  let _codec: Codec<OpenSession>

  export const codec = (): Codec<OpenSession> => {
    if (_codec == null) {
      _codec = message<OpenSession>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sessionId != null && obj.sessionId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.sessionId)
        }

        if ((obj.prompt != null && obj.prompt.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.prompt)
        }

        if ((obj.topK != null && obj.topK !== 0)) {
          w.uint32(24)
          w.uint32(obj.topK)
        }

        if ((obj.tokenizerHash != null && obj.tokenizerHash !== '')) {
          w.uint32(34)
          w.string(obj.tokenizerHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sessionId: uint8ArrayAlloc(0),
          prompt: uint8ArrayAlloc(0),
          topK: 0,
          tokenizerHash: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sessionId = reader.bytes()
              break
            }
            case 2: {
              obj.prompt = reader.bytes()
              break
            }
            case 3: {
              obj.topK = reader.uint32()
              break
            }
            case 4: {
              obj.tokenizerHash = reader.string()
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
                field: `${prefix}.sessionId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.prompt`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.topK`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.tokenizerHash`,
                value: reader.string()
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

  export interface OpenSessionSessionIdFieldEvent {
    field: '$.sessionId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OpenSessionPromptFieldEvent {
    field: '$.prompt'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OpenSessionTopKFieldEvent {
    field: '$.topK'
    value: number
  }

  export interface OpenSessionTokenizerHashFieldEvent {
    field: '$.tokenizerHash'
    value: string
  }

  export function encode (obj: Partial<OpenSession>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OpenSession.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OpenSession>): OpenSession {
    return decodeMessage(buf, OpenSession.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OpenSession>): Generator<OpenSessionSessionIdFieldEvent | OpenSessionPromptFieldEvent | OpenSessionTopKFieldEvent | OpenSessionTokenizerHashFieldEvent> {
    return streamMessage(buf, OpenSession.codec(), opts)
  }
}

export interface Step {
  sessionId: Uint8Array<ArrayBuffer>
  tokens: Uint8Array<ArrayBuffer>
  allowedTokens: Uint8Array<ArrayBuffer>
  keep?: number
}

export namespace Step {
  let _codec: Codec<Step>

  export const codec = (): Codec<Step> => {
    if (_codec == null) {
      _codec = message<Step>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sessionId != null && obj.sessionId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.sessionId)
        }

        if ((obj.tokens != null && obj.tokens.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.tokens)
        }

        if ((obj.allowedTokens != null && obj.allowedTokens.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.allowedTokens)
        }

        if (obj.keep != null) {
          w.uint32(32)
          w.uint32(obj.keep)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sessionId: uint8ArrayAlloc(0),
          tokens: uint8ArrayAlloc(0),
          allowedTokens: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sessionId = reader.bytes()
              break
            }
            case 2: {
              obj.tokens = reader.bytes()
              break
            }
            case 3: {
              obj.allowedTokens = reader.bytes()
              break
            }
            case 4: {
              obj.keep = reader.uint32()
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
                field: `${prefix}.sessionId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.tokens`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.allowedTokens`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.keep`,
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

  export interface StepSessionIdFieldEvent {
    field: '$.sessionId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StepTokensFieldEvent {
    field: '$.tokens'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StepAllowedTokensFieldEvent {
    field: '$.allowedTokens'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StepKeepFieldEvent {
    field: '$.keep'
    value: number
  }

  export function encode (obj: Partial<Step>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Step.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Step>): Step {
    return decodeMessage(buf, Step.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Step>): Generator<StepSessionIdFieldEvent | StepTokensFieldEvent | StepAllowedTokensFieldEvent | StepKeepFieldEvent> {
    return streamMessage(buf, Step.codec(), opts)
  }
}

export interface StepResult {
  tokens: Uint8Array<ArrayBuffer>
  logprobDeltas: Uint8Array<ArrayBuffer>
  residual: number
}

export namespace StepResult {
  let _codec: Codec<StepResult>

  export const codec = (): Codec<StepResult> => {
    if (_codec == null) {
      _codec = message<StepResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.tokens != null && obj.tokens.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.tokens)
        }

        if ((obj.logprobDeltas != null && obj.logprobDeltas.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.logprobDeltas)
        }

        if ((obj.residual != null && obj.residual !== 0)) {
          w.uint32(37)
          w.float(obj.residual)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          tokens: uint8ArrayAlloc(0),
          logprobDeltas: uint8ArrayAlloc(0),
          residual: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 2: {
              obj.tokens = reader.bytes()
              break
            }
            case 3: {
              obj.logprobDeltas = reader.bytes()
              break
            }
            case 4: {
              obj.residual = reader.float()
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
            case 2: {
              yield {
                field: `${prefix}.tokens`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.logprobDeltas`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.residual`,
                value: reader.float()
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

  export interface StepResultTokensFieldEvent {
    field: '$.tokens'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StepResultLogprobDeltasFieldEvent {
    field: '$.logprobDeltas'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StepResultResidualFieldEvent {
    field: '$.residual'
    value: number
  }

  export function encode (obj: Partial<StepResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StepResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StepResult>): StepResult {
    return decodeMessage(buf, StepResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StepResult>): Generator<StepResultTokensFieldEvent | StepResultLogprobDeltasFieldEvent | StepResultResidualFieldEvent> {
    return streamMessage(buf, StepResult.codec(), opts)
  }
}

export interface CloseSession {
  sessionId: Uint8Array<ArrayBuffer>
}

export namespace CloseSession {
  let _codec: Codec<CloseSession>

  export const codec = (): Codec<CloseSession> => {
    if (_codec == null) {
      _codec = message<CloseSession>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sessionId != null && obj.sessionId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.sessionId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sessionId: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sessionId = reader.bytes()
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
                field: `${prefix}.sessionId`,
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

  export interface CloseSessionSessionIdFieldEvent {
    field: '$.sessionId'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CloseSession>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CloseSession.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CloseSession>): CloseSession {
    return decodeMessage(buf, CloseSession.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CloseSession>): Generator<CloseSessionSessionIdFieldEvent> {
    return streamMessage(buf, CloseSession.codec(), opts)
  }
}

export interface ParkSession {
  sessionId: Uint8Array<ArrayBuffer>
}

export namespace ParkSession {
  let _codec: Codec<ParkSession>

  export const codec = (): Codec<ParkSession> => {
    if (_codec == null) {
      _codec = message<ParkSession>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sessionId != null && obj.sessionId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.sessionId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sessionId: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sessionId = reader.bytes()
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
                field: `${prefix}.sessionId`,
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

  export interface ParkSessionSessionIdFieldEvent {
    field: '$.sessionId'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ParkSession>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ParkSession.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ParkSession>): ParkSession {
    return decodeMessage(buf, ParkSession.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ParkSession>): Generator<ParkSessionSessionIdFieldEvent> {
    return streamMessage(buf, ParkSession.codec(), opts)
  }
}

export interface Error {
  code: number
  message: string
}

export namespace Error {
  let _codec: Codec<Error>

  export const codec = (): Codec<Error> => {
    if (_codec == null) {
      _codec = message<Error>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.code != null && obj.code !== 0)) {
          w.uint32(8)
          w.uint32(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: 0,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = reader.uint32()
              break
            }
            case 2: {
              obj.message = reader.string()
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
                field: `${prefix}.code`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
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

  export interface ErrorCodeFieldEvent {
    field: '$.code'
    value: number
  }

  export interface ErrorMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<Error>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Error.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Error>): Error {
    return decodeMessage(buf, Error.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Error>): Generator<ErrorCodeFieldEvent | ErrorMessageFieldEvent> {
    return streamMessage(buf, Error.codec(), opts)
  }
}

/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ControlRequest {
  registerExpert?: RegisterExpert
  getRouterStatus?: GetRouterStatus
  submitSelfTask?: SubmitSelfTask
  haltMesh?: HaltMesh
}

export namespace ControlRequest {
  let _codec: Codec<ControlRequest>

  export const codec = (): Codec<ControlRequest> => {
    if (_codec == null) {
      _codec = message<ControlRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.registerExpert != null) {
          w.uint32(10)
          RegisterExpert.codec().encode(obj.registerExpert, w)
        }

        if (obj.getRouterStatus != null) {
          w.uint32(18)
          GetRouterStatus.codec().encode(obj.getRouterStatus, w)
        }

        if (obj.submitSelfTask != null) {
          w.uint32(26)
          SubmitSelfTask.codec().encode(obj.submitSelfTask, w)
        }

        if (obj.haltMesh != null) {
          w.uint32(34)
          HaltMesh.codec().encode(obj.haltMesh, w)
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
              obj.registerExpert = RegisterExpert.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.registerExpert
              })
              break
            }
            case 2: {
              obj.getRouterStatus = GetRouterStatus.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.getRouterStatus
              })
              break
            }
            case 3: {
              obj.submitSelfTask = SubmitSelfTask.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.submitSelfTask
              })
              break
            }
            case 4: {
              obj.haltMesh = HaltMesh.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.haltMesh
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
              yield * RegisterExpert.codec().stream(reader, reader.uint32(), `${prefix}.registerExpert`, {
                limits: opts.limits?.registerExpert
              })

              break
            }
            case 2: {
              yield * GetRouterStatus.codec().stream(reader, reader.uint32(), `${prefix}.getRouterStatus`, {
                limits: opts.limits?.getRouterStatus
              })

              break
            }
            case 3: {
              yield * SubmitSelfTask.codec().stream(reader, reader.uint32(), `${prefix}.submitSelfTask`, {
                limits: opts.limits?.submitSelfTask
              })

              break
            }
            case 4: {
              yield * HaltMesh.codec().stream(reader, reader.uint32(), `${prefix}.haltMesh`, {
                limits: opts.limits?.haltMesh
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

  export interface ControlRequestRegisterExpertMultiaddrFieldEvent {
    field: '$.registerExpert.multiaddr'
    value: string
  }

  export interface ControlRequestSubmitSelfTaskTextFieldEvent {
    field: '$.submitSelfTask.text'
    value: string
  }

  export interface ControlRequestSubmitSelfTaskMaxTierFieldEvent {
    field: '$.submitSelfTask.maxTier'
    value: number
  }

  export interface ControlRequestSubmitSelfTaskTypesFieldEvent {
    field: '$.submitSelfTask.types[]'
    index: number
    value: string
  }

  export interface ControlRequestHaltMeshReasonFieldEvent {
    field: '$.haltMesh.reason'
    value: string
  }

  export interface ControlRequestHaltMeshGuardianHaltFieldEvent {
    field: '$.haltMesh.guardianHalt'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ControlRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ControlRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ControlRequest>): ControlRequest {
    return decodeMessage(buf, ControlRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ControlRequest>): Generator<ControlRequestRegisterExpertMultiaddrFieldEvent | ControlRequestSubmitSelfTaskTextFieldEvent | ControlRequestSubmitSelfTaskMaxTierFieldEvent | ControlRequestSubmitSelfTaskTypesFieldEvent | ControlRequestHaltMeshReasonFieldEvent | ControlRequestHaltMeshGuardianHaltFieldEvent> {
    return streamMessage(buf, ControlRequest.codec(), opts)
  }
}

export interface RegisterExpert {
  multiaddr: string
}

export namespace RegisterExpert {
  let _codec: Codec<RegisterExpert>

  export const codec = (): Codec<RegisterExpert> => {
    if (_codec == null) {
      _codec = message<RegisterExpert>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.multiaddr != null && obj.multiaddr !== '')) {
          w.uint32(10)
          w.string(obj.multiaddr)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          multiaddr: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.multiaddr = reader.string()
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
                field: `${prefix}.multiaddr`,
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

  export interface RegisterExpertMultiaddrFieldEvent {
    field: '$.multiaddr'
    value: string
  }

  export function encode (obj: Partial<RegisterExpert>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RegisterExpert.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RegisterExpert>): RegisterExpert {
    return decodeMessage(buf, RegisterExpert.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RegisterExpert>): Generator<RegisterExpertMultiaddrFieldEvent> {
    return streamMessage(buf, RegisterExpert.codec(), opts)
  }
}

export interface GetRouterStatus {}

export namespace GetRouterStatus {
  let _codec: Codec<GetRouterStatus>

  export const codec = (): Codec<GetRouterStatus> => {
    if (_codec == null) {
      _codec = message<GetRouterStatus>((obj, w, opts = {}) => {
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

  export function encode (obj: Partial<GetRouterStatus>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GetRouterStatus.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GetRouterStatus>): GetRouterStatus {
    return decodeMessage(buf, GetRouterStatus.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GetRouterStatus>): Generator<{}> {
    return streamMessage(buf, GetRouterStatus.codec(), opts)
  }
}

export interface SubmitSelfTask {
  text: string
  maxTier?: number
  types: string[]
}

export namespace SubmitSelfTask {
  let _codec: Codec<SubmitSelfTask>

  export const codec = (): Codec<SubmitSelfTask> => {
    if (_codec == null) {
      _codec = message<SubmitSelfTask>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(10)
          w.string(obj.text)
        }

        if (obj.maxTier != null) {
          w.uint32(16)
          w.uint32(obj.maxTier)
        }

        if (obj.types != null && obj.types.length > 0) {
          for (const value of obj.types) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          text: '',
          types: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.text = reader.string()
              break
            }
            case 2: {
              obj.maxTier = reader.uint32()
              break
            }
            case 3: {
              if (opts.limits?.types != null && obj.types.length === opts.limits.types) {
                throw new MaxLengthError('Decode error - repeated field "types" had too many elements')
              }

              obj.types.push(reader.string())
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
          types: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.maxTier`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              if (opts.limits?.types != null && obj.types === opts.limits.types) {
                throw new MaxLengthError('Streaming decode error - repeated field "types" had too many elements')
              }

              yield {
                field: `${prefix}.types[]`,
                index: obj.types,
                value: reader.string()
              }

              obj.types++

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

  export interface SubmitSelfTaskTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface SubmitSelfTaskMaxTierFieldEvent {
    field: '$.maxTier'
    value: number
  }

  export interface SubmitSelfTaskTypesFieldEvent {
    field: '$.types[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<SubmitSelfTask>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SubmitSelfTask.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubmitSelfTask>): SubmitSelfTask {
    return decodeMessage(buf, SubmitSelfTask.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubmitSelfTask>): Generator<SubmitSelfTaskTextFieldEvent | SubmitSelfTaskMaxTierFieldEvent | SubmitSelfTaskTypesFieldEvent> {
    return streamMessage(buf, SubmitSelfTask.codec(), opts)
  }
}

export interface HaltMesh {
  reason: string
  guardianHalt: Uint8Array<ArrayBuffer>
}

export namespace HaltMesh {
  let _codec: Codec<HaltMesh>

  export const codec = (): Codec<HaltMesh> => {
    if (_codec == null) {
      _codec = message<HaltMesh>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(10)
          w.string(obj.reason)
        }

        if ((obj.guardianHalt != null && obj.guardianHalt.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.guardianHalt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          reason: '',
          guardianHalt: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.reason = reader.string()
              break
            }
            case 2: {
              obj.guardianHalt = reader.bytes()
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
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.guardianHalt`,
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

  export interface HaltMeshReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export interface HaltMeshGuardianHaltFieldEvent {
    field: '$.guardianHalt'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<HaltMesh>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HaltMesh.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaltMesh>): HaltMesh {
    return decodeMessage(buf, HaltMesh.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaltMesh>): Generator<HaltMeshReasonFieldEvent | HaltMeshGuardianHaltFieldEvent> {
    return streamMessage(buf, HaltMesh.codec(), opts)
  }
}

export interface ControlResponse {
  expertRegistered?: ExpertRegistered
  routerStatus?: RouterStatus
  taskResult?: TaskResult
  halted?: Halted
  error?: ControlError
}

export namespace ControlResponse {
  let _codec: Codec<ControlResponse>

  export const codec = (): Codec<ControlResponse> => {
    if (_codec == null) {
      _codec = message<ControlResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.expertRegistered != null) {
          w.uint32(10)
          ExpertRegistered.codec().encode(obj.expertRegistered, w)
        }

        if (obj.routerStatus != null) {
          w.uint32(18)
          RouterStatus.codec().encode(obj.routerStatus, w)
        }

        if (obj.taskResult != null) {
          w.uint32(26)
          TaskResult.codec().encode(obj.taskResult, w)
        }

        if (obj.halted != null) {
          w.uint32(34)
          Halted.codec().encode(obj.halted, w)
        }

        if (obj.error != null) {
          w.uint32(42)
          ControlError.codec().encode(obj.error, w)
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
              obj.expertRegistered = ExpertRegistered.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.expertRegistered
              })
              break
            }
            case 2: {
              obj.routerStatus = RouterStatus.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.routerStatus
              })
              break
            }
            case 3: {
              obj.taskResult = TaskResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.taskResult
              })
              break
            }
            case 4: {
              obj.halted = Halted.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.halted
              })
              break
            }
            case 5: {
              obj.error = ControlError.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
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
              yield * ExpertRegistered.codec().stream(reader, reader.uint32(), `${prefix}.expertRegistered`, {
                limits: opts.limits?.expertRegistered
              })

              break
            }
            case 2: {
              yield * RouterStatus.codec().stream(reader, reader.uint32(), `${prefix}.routerStatus`, {
                limits: opts.limits?.routerStatus
              })

              break
            }
            case 3: {
              yield * TaskResult.codec().stream(reader, reader.uint32(), `${prefix}.taskResult`, {
                limits: opts.limits?.taskResult
              })

              break
            }
            case 4: {
              yield * Halted.codec().stream(reader, reader.uint32(), `${prefix}.halted`, {
                limits: opts.limits?.halted
              })

              break
            }
            case 5: {
              yield * ControlError.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
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

  export interface ControlResponseExpertRegisteredPeerIdFieldEvent {
    field: '$.expertRegistered.peerId'
    value: string
  }

  export interface ControlResponseExpertRegisteredModelNameFieldEvent {
    field: '$.expertRegistered.modelName'
    value: string
  }

  export interface ControlResponseRouterStatusPeerIdFieldEvent {
    field: '$.routerStatus.peerId'
    value: string
  }

  export interface ControlResponseRouterStatusKFieldEvent {
    field: '$.routerStatus.k'
    value: number
  }

  export interface ControlResponseRouterStatusPhaseFieldEvent {
    field: '$.routerStatus.phase'
    value: number
  }

  export interface ControlResponseRouterStatusMaxTierFieldEvent {
    field: '$.routerStatus.maxTier'
    value: number
  }

  export interface ControlResponseRouterStatusHaltedFieldEvent {
    field: '$.routerStatus.halted'
    value: boolean
  }

  export interface ControlResponseRouterStatusHaltReasonFieldEvent {
    field: '$.routerStatus.haltReason'
    value: string
  }

  export interface ControlResponseRouterStatusExpertsPeerIdFieldEvent {
    field: '$.routerStatus.experts[].peerId'
    value: string
    index: number
  }

  export interface ControlResponseRouterStatusExpertsModelNameFieldEvent {
    field: '$.routerStatus.experts[].modelName'
    value: string
    index: number
  }

  export interface ControlResponseRouterStatusExpertsQuantizationFieldEvent {
    field: '$.routerStatus.experts[].quantization'
    value: string
    index: number
  }

  export interface ControlResponseRouterStatusExpertsTokenizerHashFieldEvent {
    field: '$.routerStatus.experts[].tokenizerHash'
    value: string
    index: number
  }

  export interface ControlResponseRouterStatusExpertsPingMsFieldEvent {
    field: '$.routerStatus.experts[].pingMs'
    value: number
    index: number
  }

  export interface ControlResponseRouterStatusExpertsStepMsFieldEvent {
    field: '$.routerStatus.experts[].stepMs'
    value: number
    index: number
  }

  export interface ControlResponseRouterStatusExpertsBannedFieldEvent {
    field: '$.routerStatus.experts[].banned'
    value: boolean
    index: number
  }

  export interface ControlResponseRouterStatusExpertsWeightFieldEvent {
    field: '$.routerStatus.experts[].weight'
    value: number
    index: number
  }

  export interface ControlResponseRouterStatusLoopsSubsetFieldEvent {
    field: '$.routerStatus.loops[].subset'
    value: number
    index: number
  }

  export interface ControlResponseRouterStatusLoopsExpertsFieldEvent {
    field: '$.routerStatus.loops[].experts[]'
    index: number
    value: string
  }

  export interface ControlResponseRouterStatusLoopsCyclesFieldEvent {
    field: '$.routerStatus.loops[].cycles'
    value: number
    index: number
  }

  export interface ControlResponseRouterStatusLoopsRunningFieldEvent {
    field: '$.routerStatus.loops[].running'
    value: boolean
    index: number
  }

  export interface ControlResponseRouterStatusLoopsStoppedFieldEvent {
    field: '$.routerStatus.loops[].stopped'
    value: string
    index: number
  }

  export interface ControlResponseRouterStatusLoopsLastTaskFieldEvent {
    field: '$.routerStatus.loops[].lastTask'
    value: string
    index: number
  }

  export interface ControlResponseRouterStatusRecentIdFieldEvent {
    field: '$.routerStatus.recent[].id'
    value: string
    index: number
  }

  export interface ControlResponseRouterStatusRecentSourceFieldEvent {
    field: '$.routerStatus.recent[].source'
    value: string
    index: number
  }

  export interface ControlResponseRouterStatusRecentDecisionFieldEvent {
    field: '$.routerStatus.recent[].decision'
    value: string
    index: number
  }

  export interface ControlResponseRouterStatusRecentOutputFieldEvent {
    field: '$.routerStatus.recent[].output'
    value: string
    index: number
  }

  export interface ControlResponseRouterStatusRecentActionJsonFieldEvent {
    field: '$.routerStatus.recent[].actionJson'
    value: string
    index: number
  }

  export interface ControlResponseRouterStatusRecentTierFieldEvent {
    field: '$.routerStatus.recent[].tier'
    value: number
    index: number
  }

  export interface ControlResponseRouterStatusRecentReasonFieldEvent {
    field: '$.routerStatus.recent[].reason'
    value: string
    index: number
  }

  export interface ControlResponseRouterStatusRecentResultJsonFieldEvent {
    field: '$.routerStatus.recent[].resultJson'
    value: string
    index: number
  }

  export interface ControlResponseRouterStatusRecentExpertsFieldEvent {
    field: '$.routerStatus.recent[].experts[]'
    index: number
    value: string
  }

  export interface ControlResponseRouterStatusRecentStartedAtMsFieldEvent {
    field: '$.routerStatus.recent[].startedAtMs'
    value: bigint
    index: number
  }

  export interface ControlResponseRouterStatusRecentFinishedAtMsFieldEvent {
    field: '$.routerStatus.recent[].finishedAtMs'
    value: bigint
    index: number
  }

  export interface ControlResponseTaskResultIdFieldEvent {
    field: '$.taskResult.id'
    value: string
  }

  export interface ControlResponseTaskResultSourceFieldEvent {
    field: '$.taskResult.source'
    value: string
  }

  export interface ControlResponseTaskResultDecisionFieldEvent {
    field: '$.taskResult.decision'
    value: string
  }

  export interface ControlResponseTaskResultOutputFieldEvent {
    field: '$.taskResult.output'
    value: string
  }

  export interface ControlResponseTaskResultActionJsonFieldEvent {
    field: '$.taskResult.actionJson'
    value: string
  }

  export interface ControlResponseTaskResultTierFieldEvent {
    field: '$.taskResult.tier'
    value: number
  }

  export interface ControlResponseTaskResultReasonFieldEvent {
    field: '$.taskResult.reason'
    value: string
  }

  export interface ControlResponseTaskResultResultJsonFieldEvent {
    field: '$.taskResult.resultJson'
    value: string
  }

  export interface ControlResponseTaskResultExpertsFieldEvent {
    field: '$.taskResult.experts[]'
    index: number
    value: string
  }

  export interface ControlResponseTaskResultStartedAtMsFieldEvent {
    field: '$.taskResult.startedAtMs'
    value: bigint
  }

  export interface ControlResponseTaskResultFinishedAtMsFieldEvent {
    field: '$.taskResult.finishedAtMs'
    value: bigint
  }

  export interface ControlResponseHaltedReasonFieldEvent {
    field: '$.halted.reason'
    value: string
  }

  export interface ControlResponseErrorCodeFieldEvent {
    field: '$.error.code'
    value: number
  }

  export interface ControlResponseErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export function encode (obj: Partial<ControlResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ControlResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ControlResponse>): ControlResponse {
    return decodeMessage(buf, ControlResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ControlResponse>): Generator<ControlResponseExpertRegisteredPeerIdFieldEvent | ControlResponseExpertRegisteredModelNameFieldEvent | ControlResponseRouterStatusPeerIdFieldEvent | ControlResponseRouterStatusKFieldEvent | ControlResponseRouterStatusPhaseFieldEvent | ControlResponseRouterStatusMaxTierFieldEvent | ControlResponseRouterStatusHaltedFieldEvent | ControlResponseRouterStatusHaltReasonFieldEvent | ControlResponseRouterStatusExpertsPeerIdFieldEvent | ControlResponseRouterStatusExpertsModelNameFieldEvent | ControlResponseRouterStatusExpertsQuantizationFieldEvent | ControlResponseRouterStatusExpertsTokenizerHashFieldEvent | ControlResponseRouterStatusExpertsPingMsFieldEvent | ControlResponseRouterStatusExpertsStepMsFieldEvent | ControlResponseRouterStatusExpertsBannedFieldEvent | ControlResponseRouterStatusExpertsWeightFieldEvent | ControlResponseRouterStatusLoopsSubsetFieldEvent | ControlResponseRouterStatusLoopsExpertsFieldEvent | ControlResponseRouterStatusLoopsCyclesFieldEvent | ControlResponseRouterStatusLoopsRunningFieldEvent | ControlResponseRouterStatusLoopsStoppedFieldEvent | ControlResponseRouterStatusLoopsLastTaskFieldEvent | ControlResponseRouterStatusRecentIdFieldEvent | ControlResponseRouterStatusRecentSourceFieldEvent | ControlResponseRouterStatusRecentDecisionFieldEvent | ControlResponseRouterStatusRecentOutputFieldEvent | ControlResponseRouterStatusRecentActionJsonFieldEvent | ControlResponseRouterStatusRecentTierFieldEvent | ControlResponseRouterStatusRecentReasonFieldEvent | ControlResponseRouterStatusRecentResultJsonFieldEvent | ControlResponseRouterStatusRecentExpertsFieldEvent | ControlResponseRouterStatusRecentStartedAtMsFieldEvent | ControlResponseRouterStatusRecentFinishedAtMsFieldEvent | ControlResponseTaskResultIdFieldEvent | ControlResponseTaskResultSourceFieldEvent | ControlResponseTaskResultDecisionFieldEvent | ControlResponseTaskResultOutputFieldEvent | ControlResponseTaskResultActionJsonFieldEvent | ControlResponseTaskResultTierFieldEvent | ControlResponseTaskResultReasonFieldEvent | ControlResponseTaskResultResultJsonFieldEvent | ControlResponseTaskResultExpertsFieldEvent | ControlResponseTaskResultStartedAtMsFieldEvent | ControlResponseTaskResultFinishedAtMsFieldEvent | ControlResponseHaltedReasonFieldEvent | ControlResponseErrorCodeFieldEvent | ControlResponseErrorMessageFieldEvent> {
    return streamMessage(buf, ControlResponse.codec(), opts)
  }
}

export interface ExpertRegistered {
  peerId: string
  modelName: string
}

export namespace ExpertRegistered {
  let _codec: Codec<ExpertRegistered>

  export const codec = (): Codec<ExpertRegistered> => {
    if (_codec == null) {
      _codec = message<ExpertRegistered>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.modelName != null && obj.modelName !== '')) {
          w.uint32(18)
          w.string(obj.modelName)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          modelName: ''
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
              obj.modelName = reader.string()
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
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.modelName`,
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

  export interface ExpertRegisteredPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface ExpertRegisteredModelNameFieldEvent {
    field: '$.modelName'
    value: string
  }

  export function encode (obj: Partial<ExpertRegistered>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ExpertRegistered.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExpertRegistered>): ExpertRegistered {
    return decodeMessage(buf, ExpertRegistered.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExpertRegistered>): Generator<ExpertRegisteredPeerIdFieldEvent | ExpertRegisteredModelNameFieldEvent> {
    return streamMessage(buf, ExpertRegistered.codec(), opts)
  }
}

export interface ExpertStatus {
  peerId: string
  modelName: string
  quantization: string
  tokenizerHash: string
  pingMs?: number
  stepMs?: number
  banned: boolean
  weight: number
}

export namespace ExpertStatus {
  let _codec: Codec<ExpertStatus>

  export const codec = (): Codec<ExpertStatus> => {
    if (_codec == null) {
      _codec = message<ExpertStatus>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.modelName != null && obj.modelName !== '')) {
          w.uint32(18)
          w.string(obj.modelName)
        }

        if ((obj.quantization != null && obj.quantization !== '')) {
          w.uint32(26)
          w.string(obj.quantization)
        }

        if ((obj.tokenizerHash != null && obj.tokenizerHash !== '')) {
          w.uint32(34)
          w.string(obj.tokenizerHash)
        }

        if (obj.pingMs != null) {
          w.uint32(41)
          w.double(obj.pingMs)
        }

        if (obj.stepMs != null) {
          w.uint32(49)
          w.double(obj.stepMs)
        }

        if ((obj.banned != null && obj.banned !== false)) {
          w.uint32(56)
          w.bool(obj.banned)
        }

        if ((obj.weight != null && obj.weight !== 0)) {
          w.uint32(65)
          w.double(obj.weight)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          modelName: '',
          quantization: '',
          tokenizerHash: '',
          banned: false,
          weight: 0
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
              obj.modelName = reader.string()
              break
            }
            case 3: {
              obj.quantization = reader.string()
              break
            }
            case 4: {
              obj.tokenizerHash = reader.string()
              break
            }
            case 5: {
              obj.pingMs = reader.double()
              break
            }
            case 6: {
              obj.stepMs = reader.double()
              break
            }
            case 7: {
              obj.banned = reader.bool()
              break
            }
            case 8: {
              obj.weight = reader.double()
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
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.modelName`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.quantization`,
                value: reader.string()
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
            case 5: {
              yield {
                field: `${prefix}.pingMs`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.stepMs`,
                value: reader.double()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.banned`,
                value: reader.bool()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.weight`,
                value: reader.double()
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

  export interface ExpertStatusPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface ExpertStatusModelNameFieldEvent {
    field: '$.modelName'
    value: string
  }

  export interface ExpertStatusQuantizationFieldEvent {
    field: '$.quantization'
    value: string
  }

  export interface ExpertStatusTokenizerHashFieldEvent {
    field: '$.tokenizerHash'
    value: string
  }

  export interface ExpertStatusPingMsFieldEvent {
    field: '$.pingMs'
    value: number
  }

  export interface ExpertStatusStepMsFieldEvent {
    field: '$.stepMs'
    value: number
  }

  export interface ExpertStatusBannedFieldEvent {
    field: '$.banned'
    value: boolean
  }

  export interface ExpertStatusWeightFieldEvent {
    field: '$.weight'
    value: number
  }

  export function encode (obj: Partial<ExpertStatus>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ExpertStatus.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExpertStatus>): ExpertStatus {
    return decodeMessage(buf, ExpertStatus.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExpertStatus>): Generator<ExpertStatusPeerIdFieldEvent | ExpertStatusModelNameFieldEvent | ExpertStatusQuantizationFieldEvent | ExpertStatusTokenizerHashFieldEvent | ExpertStatusPingMsFieldEvent | ExpertStatusStepMsFieldEvent | ExpertStatusBannedFieldEvent | ExpertStatusWeightFieldEvent> {
    return streamMessage(buf, ExpertStatus.codec(), opts)
  }
}

export interface LoopStatus {
  subset: number
  experts: string[]
  cycles: number
  running: boolean
  stopped: string
  lastTask: string
}

export namespace LoopStatus {
  let _codec: Codec<LoopStatus>

  export const codec = (): Codec<LoopStatus> => {
    if (_codec == null) {
      _codec = message<LoopStatus>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.subset != null && obj.subset !== 0)) {
          w.uint32(8)
          w.uint32(obj.subset)
        }

        if (obj.experts != null && obj.experts.length > 0) {
          for (const value of obj.experts) {
            w.uint32(18)
            w.string(value)
          }
        }

        if ((obj.cycles != null && obj.cycles !== 0)) {
          w.uint32(24)
          w.uint32(obj.cycles)
        }

        if ((obj.running != null && obj.running !== false)) {
          w.uint32(32)
          w.bool(obj.running)
        }

        if ((obj.stopped != null && obj.stopped !== '')) {
          w.uint32(42)
          w.string(obj.stopped)
        }

        if ((obj.lastTask != null && obj.lastTask !== '')) {
          w.uint32(50)
          w.string(obj.lastTask)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          subset: 0,
          experts: [],
          cycles: 0,
          running: false,
          stopped: '',
          lastTask: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.subset = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.experts != null && obj.experts.length === opts.limits.experts) {
                throw new MaxLengthError('Decode error - repeated field "experts" had too many elements')
              }

              obj.experts.push(reader.string())
              break
            }
            case 3: {
              obj.cycles = reader.uint32()
              break
            }
            case 4: {
              obj.running = reader.bool()
              break
            }
            case 5: {
              obj.stopped = reader.string()
              break
            }
            case 6: {
              obj.lastTask = reader.string()
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
          experts: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.subset`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.experts != null && obj.experts === opts.limits.experts) {
                throw new MaxLengthError('Streaming decode error - repeated field "experts" had too many elements')
              }

              yield {
                field: `${prefix}.experts[]`,
                index: obj.experts,
                value: reader.string()
              }

              obj.experts++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.cycles`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.running`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.stopped`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.lastTask`,
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

  export interface LoopStatusSubsetFieldEvent {
    field: '$.subset'
    value: number
  }

  export interface LoopStatusExpertsFieldEvent {
    field: '$.experts[]'
    index: number
    value: string
  }

  export interface LoopStatusCyclesFieldEvent {
    field: '$.cycles'
    value: number
  }

  export interface LoopStatusRunningFieldEvent {
    field: '$.running'
    value: boolean
  }

  export interface LoopStatusStoppedFieldEvent {
    field: '$.stopped'
    value: string
  }

  export interface LoopStatusLastTaskFieldEvent {
    field: '$.lastTask'
    value: string
  }

  export function encode (obj: Partial<LoopStatus>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, LoopStatus.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LoopStatus>): LoopStatus {
    return decodeMessage(buf, LoopStatus.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LoopStatus>): Generator<LoopStatusSubsetFieldEvent | LoopStatusExpertsFieldEvent | LoopStatusCyclesFieldEvent | LoopStatusRunningFieldEvent | LoopStatusStoppedFieldEvent | LoopStatusLastTaskFieldEvent> {
    return streamMessage(buf, LoopStatus.codec(), opts)
  }
}

export interface TaskResult {
  id: string
  source: string
  decision: string
  output: string
  actionJson: string
  tier?: number
  reason: string
  resultJson: string
  experts: string[]
  startedAtMs: bigint
  finishedAtMs: bigint
}

export namespace TaskResult {
  let _codec: Codec<TaskResult>

  export const codec = (): Codec<TaskResult> => {
    if (_codec == null) {
      _codec = message<TaskResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.source != null && obj.source !== '')) {
          w.uint32(18)
          w.string(obj.source)
        }

        if ((obj.decision != null && obj.decision !== '')) {
          w.uint32(26)
          w.string(obj.decision)
        }

        if ((obj.output != null && obj.output !== '')) {
          w.uint32(34)
          w.string(obj.output)
        }

        if ((obj.actionJson != null && obj.actionJson !== '')) {
          w.uint32(42)
          w.string(obj.actionJson)
        }

        if (obj.tier != null) {
          w.uint32(48)
          w.uint32(obj.tier)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(58)
          w.string(obj.reason)
        }

        if ((obj.resultJson != null && obj.resultJson !== '')) {
          w.uint32(66)
          w.string(obj.resultJson)
        }

        if (obj.experts != null && obj.experts.length > 0) {
          for (const value of obj.experts) {
            w.uint32(74)
            w.string(value)
          }
        }

        if ((obj.startedAtMs != null && obj.startedAtMs !== 0n)) {
          w.uint32(80)
          w.uint64(obj.startedAtMs)
        }

        if ((obj.finishedAtMs != null && obj.finishedAtMs !== 0n)) {
          w.uint32(88)
          w.uint64(obj.finishedAtMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          source: '',
          decision: '',
          output: '',
          actionJson: '',
          reason: '',
          resultJson: '',
          experts: [],
          startedAtMs: 0n,
          finishedAtMs: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.source = reader.string()
              break
            }
            case 3: {
              obj.decision = reader.string()
              break
            }
            case 4: {
              obj.output = reader.string()
              break
            }
            case 5: {
              obj.actionJson = reader.string()
              break
            }
            case 6: {
              obj.tier = reader.uint32()
              break
            }
            case 7: {
              obj.reason = reader.string()
              break
            }
            case 8: {
              obj.resultJson = reader.string()
              break
            }
            case 9: {
              if (opts.limits?.experts != null && obj.experts.length === opts.limits.experts) {
                throw new MaxLengthError('Decode error - repeated field "experts" had too many elements')
              }

              obj.experts.push(reader.string())
              break
            }
            case 10: {
              obj.startedAtMs = reader.uint64()
              break
            }
            case 11: {
              obj.finishedAtMs = reader.uint64()
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
          experts: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.source`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.decision`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.output`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.actionJson`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.tier`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.resultJson`,
                value: reader.string()
              }
              break
            }
            case 9: {
              if (opts.limits?.experts != null && obj.experts === opts.limits.experts) {
                throw new MaxLengthError('Streaming decode error - repeated field "experts" had too many elements')
              }

              yield {
                field: `${prefix}.experts[]`,
                index: obj.experts,
                value: reader.string()
              }

              obj.experts++

              break
            }
            case 10: {
              yield {
                field: `${prefix}.startedAtMs`,
                value: reader.uint64()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.finishedAtMs`,
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

  export interface TaskResultIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface TaskResultSourceFieldEvent {
    field: '$.source'
    value: string
  }

  export interface TaskResultDecisionFieldEvent {
    field: '$.decision'
    value: string
  }

  export interface TaskResultOutputFieldEvent {
    field: '$.output'
    value: string
  }

  export interface TaskResultActionJsonFieldEvent {
    field: '$.actionJson'
    value: string
  }

  export interface TaskResultTierFieldEvent {
    field: '$.tier'
    value: number
  }

  export interface TaskResultReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export interface TaskResultResultJsonFieldEvent {
    field: '$.resultJson'
    value: string
  }

  export interface TaskResultExpertsFieldEvent {
    field: '$.experts[]'
    index: number
    value: string
  }

  export interface TaskResultStartedAtMsFieldEvent {
    field: '$.startedAtMs'
    value: bigint
  }

  export interface TaskResultFinishedAtMsFieldEvent {
    field: '$.finishedAtMs'
    value: bigint
  }

  export function encode (obj: Partial<TaskResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskResult>): TaskResult {
    return decodeMessage(buf, TaskResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskResult>): Generator<TaskResultIdFieldEvent | TaskResultSourceFieldEvent | TaskResultDecisionFieldEvent | TaskResultOutputFieldEvent | TaskResultActionJsonFieldEvent | TaskResultTierFieldEvent | TaskResultReasonFieldEvent | TaskResultResultJsonFieldEvent | TaskResultExpertsFieldEvent | TaskResultStartedAtMsFieldEvent | TaskResultFinishedAtMsFieldEvent> {
    return streamMessage(buf, TaskResult.codec(), opts)
  }
}

export interface RouterStatus {
  peerId: string
  k: number
  phase: number
  maxTier: number
  halted: boolean
  haltReason: string
  experts: ExpertStatus[]
  loops: LoopStatus[]
  recent: TaskResult[]
}

export namespace RouterStatus {
  let _codec: Codec<RouterStatus>

  export const codec = (): Codec<RouterStatus> => {
    if (_codec == null) {
      _codec = message<RouterStatus>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.k != null && obj.k !== 0)) {
          w.uint32(16)
          w.uint32(obj.k)
        }

        if ((obj.phase != null && obj.phase !== 0)) {
          w.uint32(24)
          w.uint32(obj.phase)
        }

        if ((obj.maxTier != null && obj.maxTier !== 0)) {
          w.uint32(32)
          w.uint32(obj.maxTier)
        }

        if ((obj.halted != null && obj.halted !== false)) {
          w.uint32(40)
          w.bool(obj.halted)
        }

        if ((obj.haltReason != null && obj.haltReason !== '')) {
          w.uint32(50)
          w.string(obj.haltReason)
        }

        if (obj.experts != null && obj.experts.length > 0) {
          for (const value of obj.experts) {
            w.uint32(58)
            ExpertStatus.codec().encode(value, w)
          }
        }

        if (obj.loops != null && obj.loops.length > 0) {
          for (const value of obj.loops) {
            w.uint32(66)
            LoopStatus.codec().encode(value, w)
          }
        }

        if (obj.recent != null && obj.recent.length > 0) {
          for (const value of obj.recent) {
            w.uint32(74)
            TaskResult.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          k: 0,
          phase: 0,
          maxTier: 0,
          halted: false,
          haltReason: '',
          experts: [],
          loops: [],
          recent: []
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
              obj.k = reader.uint32()
              break
            }
            case 3: {
              obj.phase = reader.uint32()
              break
            }
            case 4: {
              obj.maxTier = reader.uint32()
              break
            }
            case 5: {
              obj.halted = reader.bool()
              break
            }
            case 6: {
              obj.haltReason = reader.string()
              break
            }
            case 7: {
              if (opts.limits?.experts != null && obj.experts.length === opts.limits.experts) {
                throw new MaxLengthError('Decode error - repeated field "experts" had too many elements')
              }

              obj.experts.push(ExpertStatus.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.experts$
              }))
              break
            }
            case 8: {
              if (opts.limits?.loops != null && obj.loops.length === opts.limits.loops) {
                throw new MaxLengthError('Decode error - repeated field "loops" had too many elements')
              }

              obj.loops.push(LoopStatus.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.loops$
              }))
              break
            }
            case 9: {
              if (opts.limits?.recent != null && obj.recent.length === opts.limits.recent) {
                throw new MaxLengthError('Decode error - repeated field "recent" had too many elements')
              }

              obj.recent.push(TaskResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.recent$
              }))
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
          experts: 0,
          loops: 0,
          recent: 0
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
                field: `${prefix}.k`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.phase`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.maxTier`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.halted`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.haltReason`,
                value: reader.string()
              }
              break
            }
            case 7: {
              if (opts.limits?.experts != null && obj.experts === opts.limits.experts) {
                throw new MaxLengthError('Streaming decode error - repeated field "experts" had too many elements')
              }

              for (const evt of ExpertStatus.codec().stream(reader, reader.uint32(), `${prefix}.experts[]`, {
                limits: opts.limits?.experts$
              })) {
                yield {
                  ...evt,
                  index: obj.experts
                }
              }

              obj.experts++

              break
            }
            case 8: {
              if (opts.limits?.loops != null && obj.loops === opts.limits.loops) {
                throw new MaxLengthError('Streaming decode error - repeated field "loops" had too many elements')
              }

              for (const evt of LoopStatus.codec().stream(reader, reader.uint32(), `${prefix}.loops[]`, {
                limits: opts.limits?.loops$
              })) {
                yield {
                  ...evt,
                  index: obj.loops
                }
              }

              obj.loops++

              break
            }
            case 9: {
              if (opts.limits?.recent != null && obj.recent === opts.limits.recent) {
                throw new MaxLengthError('Streaming decode error - repeated field "recent" had too many elements')
              }

              for (const evt of TaskResult.codec().stream(reader, reader.uint32(), `${prefix}.recent[]`, {
                limits: opts.limits?.recent$
              })) {
                yield {
                  ...evt,
                  index: obj.recent
                }
              }

              obj.recent++

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

  export interface RouterStatusPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface RouterStatusKFieldEvent {
    field: '$.k'
    value: number
  }

  export interface RouterStatusPhaseFieldEvent {
    field: '$.phase'
    value: number
  }

  export interface RouterStatusMaxTierFieldEvent {
    field: '$.maxTier'
    value: number
  }

  export interface RouterStatusHaltedFieldEvent {
    field: '$.halted'
    value: boolean
  }

  export interface RouterStatusHaltReasonFieldEvent {
    field: '$.haltReason'
    value: string
  }

  export interface RouterStatusExpertsPeerIdFieldEvent {
    field: '$.experts[].peerId'
    value: string
    index: number
  }

  export interface RouterStatusExpertsModelNameFieldEvent {
    field: '$.experts[].modelName'
    value: string
    index: number
  }

  export interface RouterStatusExpertsQuantizationFieldEvent {
    field: '$.experts[].quantization'
    value: string
    index: number
  }

  export interface RouterStatusExpertsTokenizerHashFieldEvent {
    field: '$.experts[].tokenizerHash'
    value: string
    index: number
  }

  export interface RouterStatusExpertsPingMsFieldEvent {
    field: '$.experts[].pingMs'
    value: number
    index: number
  }

  export interface RouterStatusExpertsStepMsFieldEvent {
    field: '$.experts[].stepMs'
    value: number
    index: number
  }

  export interface RouterStatusExpertsBannedFieldEvent {
    field: '$.experts[].banned'
    value: boolean
    index: number
  }

  export interface RouterStatusExpertsWeightFieldEvent {
    field: '$.experts[].weight'
    value: number
    index: number
  }

  export interface RouterStatusLoopsSubsetFieldEvent {
    field: '$.loops[].subset'
    value: number
    index: number
  }

  export interface RouterStatusLoopsExpertsFieldEvent {
    field: '$.loops[].experts[]'
    index: number
    value: string
  }

  export interface RouterStatusLoopsCyclesFieldEvent {
    field: '$.loops[].cycles'
    value: number
    index: number
  }

  export interface RouterStatusLoopsRunningFieldEvent {
    field: '$.loops[].running'
    value: boolean
    index: number
  }

  export interface RouterStatusLoopsStoppedFieldEvent {
    field: '$.loops[].stopped'
    value: string
    index: number
  }

  export interface RouterStatusLoopsLastTaskFieldEvent {
    field: '$.loops[].lastTask'
    value: string
    index: number
  }

  export interface RouterStatusRecentIdFieldEvent {
    field: '$.recent[].id'
    value: string
    index: number
  }

  export interface RouterStatusRecentSourceFieldEvent {
    field: '$.recent[].source'
    value: string
    index: number
  }

  export interface RouterStatusRecentDecisionFieldEvent {
    field: '$.recent[].decision'
    value: string
    index: number
  }

  export interface RouterStatusRecentOutputFieldEvent {
    field: '$.recent[].output'
    value: string
    index: number
  }

  export interface RouterStatusRecentActionJsonFieldEvent {
    field: '$.recent[].actionJson'
    value: string
    index: number
  }

  export interface RouterStatusRecentTierFieldEvent {
    field: '$.recent[].tier'
    value: number
    index: number
  }

  export interface RouterStatusRecentReasonFieldEvent {
    field: '$.recent[].reason'
    value: string
    index: number
  }

  export interface RouterStatusRecentResultJsonFieldEvent {
    field: '$.recent[].resultJson'
    value: string
    index: number
  }

  export interface RouterStatusRecentExpertsFieldEvent {
    field: '$.recent[].experts[]'
    index: number
    value: string
  }

  export interface RouterStatusRecentStartedAtMsFieldEvent {
    field: '$.recent[].startedAtMs'
    value: bigint
    index: number
  }

  export interface RouterStatusRecentFinishedAtMsFieldEvent {
    field: '$.recent[].finishedAtMs'
    value: bigint
    index: number
  }

  export function encode (obj: Partial<RouterStatus>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RouterStatus.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RouterStatus>): RouterStatus {
    return decodeMessage(buf, RouterStatus.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RouterStatus>): Generator<RouterStatusPeerIdFieldEvent | RouterStatusKFieldEvent | RouterStatusPhaseFieldEvent | RouterStatusMaxTierFieldEvent | RouterStatusHaltedFieldEvent | RouterStatusHaltReasonFieldEvent | RouterStatusExpertsPeerIdFieldEvent | RouterStatusExpertsModelNameFieldEvent | RouterStatusExpertsQuantizationFieldEvent | RouterStatusExpertsTokenizerHashFieldEvent | RouterStatusExpertsPingMsFieldEvent | RouterStatusExpertsStepMsFieldEvent | RouterStatusExpertsBannedFieldEvent | RouterStatusExpertsWeightFieldEvent | RouterStatusLoopsSubsetFieldEvent | RouterStatusLoopsExpertsFieldEvent | RouterStatusLoopsCyclesFieldEvent | RouterStatusLoopsRunningFieldEvent | RouterStatusLoopsStoppedFieldEvent | RouterStatusLoopsLastTaskFieldEvent | RouterStatusRecentIdFieldEvent | RouterStatusRecentSourceFieldEvent | RouterStatusRecentDecisionFieldEvent | RouterStatusRecentOutputFieldEvent | RouterStatusRecentActionJsonFieldEvent | RouterStatusRecentTierFieldEvent | RouterStatusRecentReasonFieldEvent | RouterStatusRecentResultJsonFieldEvent | RouterStatusRecentExpertsFieldEvent | RouterStatusRecentStartedAtMsFieldEvent | RouterStatusRecentFinishedAtMsFieldEvent> {
    return streamMessage(buf, RouterStatus.codec(), opts)
  }
}

export interface Halted {
  reason: string
}

export namespace Halted {
  let _codec: Codec<Halted>

  export const codec = (): Codec<Halted> => {
    if (_codec == null) {
      _codec = message<Halted>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(10)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.reason = reader.string()
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
                field: `${prefix}.reason`,
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

  export interface HaltedReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<Halted>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Halted.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Halted>): Halted {
    return decodeMessage(buf, Halted.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Halted>): Generator<HaltedReasonFieldEvent> {
    return streamMessage(buf, Halted.codec(), opts)
  }
}

export interface ControlError {
  code: number
  message: string
}

export namespace ControlError {
  let _codec: Codec<ControlError>

  export const codec = (): Codec<ControlError> => {
    if (_codec == null) {
      _codec = message<ControlError>((obj, w, opts = {}) => {
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

  export interface ControlErrorCodeFieldEvent {
    field: '$.code'
    value: number
  }

  export interface ControlErrorMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<ControlError>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ControlError.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ControlError>): ControlError {
    return decodeMessage(buf, ControlError.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ControlError>): Generator<ControlErrorCodeFieldEvent | ControlErrorMessageFieldEvent> {
    return streamMessage(buf, ControlError.codec(), opts)
  }
}

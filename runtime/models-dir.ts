// Where the GGUF files are: --models DIR, else $MESH_MODELS, else ../shared/models beside the project.
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..")

export const DEFAULT_MODELS_DIR = resolve(PROJECT_ROOT, "../shared/models")

export const resolveModelsDir = (flag?: string): string => {
  const chosen = flag ?? process.env.MESH_MODELS
  return chosen === undefined || chosen === "" ? DEFAULT_MODELS_DIR : resolve(chosen)
}

/** A model file by name inside the models folder; the path is returned even when missing so errors can name it. */
export const modelPath = (name: string, modelsDir: string = resolveModelsDir()): string => join(modelsDir, name)

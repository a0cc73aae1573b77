// The models the simulator knows: Google's public ones plus any model a project config names.

export interface ModelInfo {
  name: string;
  version: string;
  displayName: string;
  description: string;
  inputTokenLimit: number;
  outputTokenLimit: number;
  supportedGenerationMethods: string[];
  temperature: number;
  topP: number;
  topK: number;
  maxTemperature: number;
  thinking: boolean;
}

const GENERATION_METHODS = ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'];

const EMBEDDING_METHODS = ['embedContent', 'countTextTokens', 'countTokens', 'asyncBatchEmbedContent'];

interface KnownModel {
  displayName: string;
  outputTokenLimit: number;
  thinking: boolean;
  inputTokenLimit?: number;
  methods?: string[];
}

const KNOWN: Record<string, KnownModel> = {
  'gemini-2.5-pro': { displayName: 'Gemini 2.5 Pro', outputTokenLimit: 65536, thinking: true },
  'gemini-2.5-flash': { displayName: 'Gemini 2.5 Flash', outputTokenLimit: 65536, thinking: true },
  'gemini-2.5-flash-lite': { displayName: 'Gemini 2.5 Flash-Lite', outputTokenLimit: 65536, thinking: true },
  'gemini-2.0-flash': { displayName: 'Gemini 2.0 Flash', outputTokenLimit: 8192, thinking: false },
  'gemini-2.0-flash-lite': { displayName: 'Gemini 2.0 Flash-Lite', outputTokenLimit: 8192, thinking: false },
  'gemini-embedding-001': {
    displayName: 'Gemini Embedding 001',
    outputTokenLimit: 1,
    thinking: false,
    inputTokenLimit: 2048,
    methods: EMBEDDING_METHODS,
  },
};

/** True for a model Google serves at all (a project without limits for it gets 429 limit: 0, not 404). */
export function isKnownModel(model: string, configured: ReadonlySet<string>): boolean {
  return configured.has(model) || model in KNOWN;
}

export function modelInfo(model: string): ModelInfo {
  const known = KNOWN[model];
  const displayName = known?.displayName ?? model;
  return {
    name: `models/${model}`,
    version: '001',
    displayName,
    description: `${displayName} (gemini-sim)`,
    inputTokenLimit: known?.inputTokenLimit ?? 1048576,
    outputTokenLimit: known?.outputTokenLimit ?? 65536,
    supportedGenerationMethods: known?.methods ?? GENERATION_METHODS,
    temperature: 1,
    topP: 0.95,
    topK: 64,
    maxTemperature: 2,
    thinking: known?.thinking ?? false,
  };
}

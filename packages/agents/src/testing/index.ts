/**
 * Test helpers for other packages' tests (`@ballast/agents/testing`): local servers that speak the
 * vendors' wire formats to the real SDKs. Only the dependency-free files are exported here.
 */

export { analystReply, geminiPrompt } from './analyst-replies';
export { auditedCall } from './audited-call';
export {
  type RecordedRequest,
  type ScriptedReply,
  type ScriptedServer,
  startScriptedServer,
} from './scripted-server';
export {
  anthropicAuthError,
  anthropicError,
  anthropicText,
  anthropicToolUse,
  geminiAuthError,
  geminiError,
  geminiJson,
} from './wire-replies';

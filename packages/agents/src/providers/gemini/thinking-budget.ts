/**
 * The thinking tokens a Gemini 2.5 model may spend before its answer, or undefined for a model without
 * this setting. Thinking is on by default there and its tokens count against maxOutputTokens, so an
 * unset budget can spend the whole cap and return no text (finishReason MAX_TOKENS) while still billed.
 * A verdict from given numbers needs no thinking: off for Flash (0), the least Pro allows (128).
 */
export function thinkingBudgetFor(model: string): number | undefined {
  if (model.startsWith('gemini-2.5-pro')) return 128;
  if (model.startsWith('gemini-2.5-')) return 0;
  return undefined;
}

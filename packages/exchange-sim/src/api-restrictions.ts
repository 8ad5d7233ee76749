/**
 * `GET /sapi/v1/account/apiRestrictions` (field set from Binance's API docs). `enableWithdrawals`
 * follows the key's configured permission, so a live-start check can be tested both ways.
 */
export function apiRestrictionsView(now: number, enableWithdrawals: boolean) {
  return {
    ipRestrict: false,
    createTime: now,
    enableReading: true,
    enableWithdrawals,
    enableInternalTransfer: false,
    enableMargin: false,
    enableFutures: false,
    permitsUniversalTransfer: false,
    enableVanillaOptions: false,
    enableFixApiTrade: false,
    enableFixReadOnly: false,
    enableSpotAndMarginTrading: true,
    enablePortfolioMarginTrading: false,
  };
}

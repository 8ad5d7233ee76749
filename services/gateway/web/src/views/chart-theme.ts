import { ColorType, type DeepPartial, type TimeChartOptions } from 'lightweight-charts';

/** The dashboard's dark colours for every chart. */
export const CHART_THEME: DeepPartial<TimeChartOptions> = {
  autoSize: true,
  layout: {
    attributionLogo: false,
    background: { type: ColorType.Solid, color: '#0f1419' },
    textColor: '#c8ccd2',
  },
  grid: { vertLines: { color: '#1f2730' }, horzLines: { color: '#1f2730' } },
  timeScale: { timeVisible: true },
};

import type { BusLogger, BusObserver } from './bus';

export const silentLog: BusLogger = { info() {}, warn() {}, error() {} };

export const silentObserver: BusObserver = { message() {}, handled() {} };

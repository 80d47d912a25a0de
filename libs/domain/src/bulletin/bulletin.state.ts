import type { BulletinEvent, BulletinPeriod, BulletinScope } from './bulletin.events';

export interface IssuedBulletin {
  readonly status: 'issued';
  readonly bulletinId: string;
  readonly scope: BulletinScope;
  readonly period: BulletinPeriod;
  /** The latest version's number and instant. */
  readonly version: number;
  readonly asOf: string;
  readonly title: string;
}

export type BulletinState = { readonly status: 'none' } | IssuedBulletin;

export function initialBulletinState(): BulletinState {
  return { status: 'none' };
}

export function evolveBulletin(state: BulletinState, event: BulletinEvent): BulletinState {
  switch (event.type) {
    case 'BulletinIssued': {
      const { bulletinId, scope, period, version, asOf, title } = event.data;
      return { status: 'issued', bulletinId, scope, period, version, asOf, title };
    }
    default: {
      event.type satisfies never;
      return state;
    }
  }
}

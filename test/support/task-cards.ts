import { Page } from 'playwright-core';

/** A task card as a person sees it on the list: its status, its light, and whether it stands out as 待签收. */
export interface CardOnScreen {
  readonly id: string;
  readonly status: string;
  readonly light: string;
  /** The 待签收 tag is on the card. */
  readonly awaitingTag: boolean;
  /** The card's background colour, as computed. */
  readonly background: string;
}

/** The urgency bands of a list by urgency, in order. */
export const URGENCY_BANDS = ['逾期', '待签收', '待验收', '其他未销号', '已结束'] as const;

/** The band a task (a card, or a row of the list) falls in: 逾期 is an open task's red light (past its deadline). */
export function bandOf(card: Pick<CardOnScreen, 'status' | 'light'>): (typeof URGENCY_BANDS)[number] {
  if (card.status === 'closed' || card.status === 'cancelled') return '已结束';
  if (card.light === 'red') return '逾期';
  return card.status === 'assigned' ? '待签收' : card.status === 'submitted' ? '待验收' : '其他未销号';
}

/** Every task card on the page, top to bottom. */
export function cardsOnScreen(page: Page, within = 'body'): Promise<CardOnScreen[]> {
  return page
    .locator(within)
    .getByTestId('task-card')
    .evaluateAll((cards) =>
      cards.map((card) => {
        const view = globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> };
        const el = card as unknown as {
          getAttribute(name: string): string | null;
          querySelector(selector: string): { getAttribute(name: string): string | null } | null;
        };
        return {
          id: el.getAttribute('data-task-id')!,
          status: el.getAttribute('data-status')!,
          light: el.querySelector('[data-light]')!.getAttribute('data-light')!,
          awaitingTag: el.querySelector('[data-testid=awaiting-acceptance]') !== null,
          background: view.getComputedStyle(card).backgroundColor,
        };
      }),
    );
}

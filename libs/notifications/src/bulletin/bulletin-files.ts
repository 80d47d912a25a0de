import type { BulletinDocument, BulletinRenderer } from '@zhenggai/application';
import { bulletinDocx } from './bulletin-docx';
import { bulletinFonts } from './bulletin-fonts';
import { bulletinPdf } from './bulletin-pdf';

/**
 * The 情况通报 as files: DOCX (what offices edit) and PDF (what they circulate), A4 in the layout of a government
 * notice, set in Noto Serif SC, embedded in both. The font is read on the first bulletin and kept for the process.
 */
export class BulletinFiles implements BulletinRenderer {
  async docx(document: BulletinDocument): Promise<Buffer> {
    return bulletinDocx(document, await bulletinFonts());
  }

  async pdf(document: BulletinDocument): Promise<Buffer> {
    return bulletinPdf(document, await bulletinFonts());
  }
}

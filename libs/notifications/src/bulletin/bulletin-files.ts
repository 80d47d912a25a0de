import type { BulletinDocument, BulletinRenderer } from '@zhenggai/application';

/**
 * The 情况通报 as files: DOCX (what offices edit) and PDF (what they circulate), A4 in the layout of a government
 * notice, set in Noto Serif SC, embedded in both. The renderers (pdfkit, docx, fontkit: some 30 MB once loaded) and
 * the font are loaded on the first bulletin and kept for the process: one that never issues one never pays for them.
 */
export class BulletinFiles implements BulletinRenderer {
  async docx(document: BulletinDocument): Promise<Buffer> {
    const [{ bulletinDocx }, { bulletinFonts }] = await Promise.all([
      import('./bulletin-docx'),
      import('./bulletin-fonts'),
    ]);
    return bulletinDocx(document, await bulletinFonts());
  }

  async pdf(document: BulletinDocument): Promise<Buffer> {
    const [{ bulletinPdf }, { bulletinFonts }] = await Promise.all([
      import('./bulletin-pdf'),
      import('./bulletin-fonts'),
    ]);
    return bulletinPdf(document, await bulletinFonts());
  }
}

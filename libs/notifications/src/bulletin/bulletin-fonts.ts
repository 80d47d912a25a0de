import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';

/** One face of the bulletins' typeface: its file as read, and fontkit's view of it (for subsetting). */
export interface FontFace {
  readonly file: Buffer;
  readonly font: fontkit.Font;
}

/** Noto Serif SC, the CJK serif the bulletins are set in, regular and bold. */
export interface BulletinFonts {
  readonly family: string;
  readonly regular: FontFace;
  readonly bold: FontFace;
}

let loading: Promise<BulletinFonts> | undefined;

/**
 * The faces, read once per process on first use: each file is 14.8 MB, which a process that never renders a
 * bulletin should not hold. Resolved from the package, not a path of ours, so it works from dist as from source.
 */
export function bulletinFonts(): Promise<BulletinFonts> {
  loading ??= loadFonts().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function loadFonts(): Promise<BulletinFonts> {
  const root = dirname(require.resolve('@expo-google-fonts/noto-serif-sc/package.json'));
  const [regular, bold] = await Promise.all([
    face(join(root, '400Regular', 'NotoSerifSC_400Regular.ttf')),
    face(join(root, '700Bold', 'NotoSerifSC_700Bold.ttf')),
  ]);
  return { family: regular.font.familyName, regular, bold };
}

async function face(path: string): Promise<FontFace> {
  const file = await readFile(path);
  const font = fontkit.create(file);
  if (!('createSubset' in font)) throw new Error(`${path} is a font collection, not one face`);
  return { file, font };
}

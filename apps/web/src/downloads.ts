import { ref, type Ref } from 'vue';
import { download } from './api';
import { clearProblems, showProblem } from './problems';

/**
 * The files a page's buttons save (the 整改台账, a bulletin's PDF and Word, the 问题清单 template). A file can take
 * seconds to be written, so the page shows which one is on its way (`busy`, its button's key) and none of them can be
 * pressed again meanwhile: each press would ask for another. A refusal, or no network, shows in the toast as any
 * other problem; nothing is left unhandled.
 */
export interface Downloads<K extends string> {
  readonly busy: Ref<K | null>;
  save(key: K, path: string, fallbackName: string): Promise<void>;
}

export function useDownloads<K extends string>(): Downloads<K> {
  const busy = ref(null) as Ref<K | null>;
  async function save(key: K, path: string, fallbackName: string): Promise<void> {
    if (busy.value !== null) return;
    busy.value = key;
    clearProblems();
    try {
      await download(path, fallbackName);
    } catch (e) {
      showProblem(e);
    } finally {
      busy.value = null;
    }
  }
  return { busy, save };
}

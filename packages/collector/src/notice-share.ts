const DAY_MS = 86_400_000;
/** Networks counted per day at most: past it, a network not yet counted gets no new notice that day. */
const MAX_NETWORKS = 100_000;

/**
 * Each client network's share of the day's new notices, in this instance's memory: `admit(network)`
 * is what a receipt's `admitNewNotice` asks (it takes a place if one is left), `settle` gives the
 * place back when the receipt did not store a new notice after all. Everything is forgotten at
 * each UTC midnight, so the map holds at most one day's networks (and never more than MAX_NETWORKS).
 */
export function createNoticeShare(max: number, now: () => number) {
  let day = Math.floor(now() / DAY_MS);
  let taken = new Map<string, number>();
  const turn = () => {
    const today = Math.floor(now() / DAY_MS);
    if (today !== day) {
      day = today;
      taken = new Map();
    }
  };
  return {
    /** One receipt's view: asked at most once for real (a retried write asks again), settled once. */
    forReceipt(network: string) {
      let held = false;
      let refused = false;
      let heldOn = day;
      return {
        admit(): boolean {
          if (held) return true;
          turn();
          const count = taken.get(network) ?? 0;
          if (count >= max || (count === 0 && taken.size >= MAX_NETWORKS)) {
            refused = true;
            return false;
          }
          taken.set(network, count + 1);
          held = true;
          heldOn = day;
          return true;
        },
        /** Whether the share, not the daily cap, refused the receipt. */
        refused: () => refused,
        settle(storedNewNotice: boolean): void {
          // A place held on a day since forgotten has nothing to give back.
          if (!held || storedNewNotice || heldOn !== day) return;
          const count = taken.get(network) ?? 0;
          if (count <= 1) taken.delete(network);
          else taken.set(network, count - 1);
        },
      };
    },
  };
}

/** A sleep that `wake()` cuts short; a wake while nobody sleeps makes the next sleep return at once. */
export class Pause {
  private waking: (() => void) | undefined;
  private woken = false;

  for(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        if (this.waking === finish) this.waking = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.waking = finish;
    });
  }

  wake(): void {
    if (this.waking) this.waking();
    else this.woken = true;
  }
}

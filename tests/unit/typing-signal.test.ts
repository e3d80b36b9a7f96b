import { TYPING_IDLE_MS, TYPING_REPEAT_MS, TypingSignal } from "@/app/client/typing-signal";

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function signal() {
  const sent: [string, boolean][] = [];
  const typing = new TypingSignal(
    (destination, value) => sent.push([destination, value]),
    () => Date.now(),
  );
  return { sent, typing };
}

test("a burst of keys sends 'typing' once per repeat interval, then 'stopped' once after going idle", () => {
  const { sent, typing } = signal();
  for (let i = 0; i < 10; i += 1) {
    typing.keystroke("bob");
    jest.advanceTimersByTime(100);
  }
  expect(sent).toEqual([["bob", true]]);
  jest.advanceTimersByTime(TYPING_REPEAT_MS);
  typing.keystroke("bob");
  expect(sent).toEqual([
    ["bob", true],
    ["bob", true],
  ]);
  jest.advanceTimersByTime(TYPING_IDLE_MS);
  expect(sent.at(-1)).toEqual(["bob", false]);
  jest.advanceTimersByTime(TYPING_IDLE_MS * 3);
  expect(sent.filter(([, value]) => !value)).toHaveLength(1);
});

test("switching peers stops the first before telling the second; stop() after a send is sent once", () => {
  const { sent, typing } = signal();
  typing.keystroke("bob");
  typing.keystroke("carol");
  typing.stop();
  typing.stop();
  expect(sent).toEqual([
    ["bob", true],
    ["bob", false],
    ["carol", true],
    ["carol", false],
  ]);
});

// Packer's boot_command language (packer-plugin-sdk bootcommand): literal text is typed
// key by key, `<name>` is a special key, `<nameOn>`/`<nameOff>` hold and release a
// modifier, `<wait>`, `<wait5>`, `<wait1m30s>` pause. Keys become QEMU qcodes and are sent
// through QMP `input-send-event`, which, unlike `send-key`, can hold a key across others.
import { BuildError } from '../core/errors.js';
import { tryParseDuration } from '../core/duration.js';
import type { Qmp } from './qmp.js';

export type BootAction =
  | { kind: 'press'; qcode: string; shift: boolean }
  | { kind: 'hold'; qcode: string; down: boolean }
  | { kind: 'wait'; ms: number };

const SPECIAL: Record<string, string> = {
  bs: 'backspace',
  del: 'delete',
  enter: 'ret',
  return: 'ret',
  esc: 'esc',
  tab: 'tab',
  up: 'up',
  down: 'down',
  left: 'left',
  right: 'right',
  spacebar: 'spc',
  insert: 'insert',
  home: 'home',
  end: 'end',
  pageup: 'pgup',
  pagedown: 'pgdn',
  menu: 'menu',
  leftalt: 'alt',
  rightalt: 'alt_r',
  leftctrl: 'ctrl',
  rightctrl: 'ctrl_r',
  leftshift: 'shift',
  rightshift: 'shift_r',
  leftsuper: 'meta_l',
  rightsuper: 'meta_r',
};
for (let i = 1; i <= 12; i++) SPECIAL[`f${i}`] = `f${i}`;

const MODIFIERS = new Set(['leftalt', 'rightalt', 'leftctrl', 'rightctrl', 'leftshift', 'rightshift', 'leftsuper', 'rightsuper']);

const PLAIN: Record<string, string> = {
  ' ': 'spc',
  '\n': 'ret',
  '\r': 'ret',
  '\t': 'tab',
  '-': 'minus',
  '=': 'equal',
  '[': 'bracket_left',
  ']': 'bracket_right',
  '\\': 'backslash',
  ';': 'semicolon',
  "'": 'apostrophe',
  '`': 'grave_accent',
  ',': 'comma',
  '.': 'dot',
  '/': 'slash',
};

const SHIFTED: Record<string, string> = {
  '!': '1',
  '@': '2',
  '#': '3',
  $: '4',
  '%': '5',
  '^': '6',
  '&': '7',
  '*': '8',
  '(': '9',
  ')': '0',
  _: 'minus',
  '+': 'equal',
  '{': 'bracket_left',
  '}': 'bracket_right',
  '|': 'backslash',
  ':': 'semicolon',
  '"': 'apostrophe',
  '~': 'grave_accent',
  '<': 'comma',
  '>': 'dot',
  '?': 'slash',
};

/** Parses the concatenated boot_command; an untypeable character is an error naming it. */
export function parseBootCommand(text: string): BootAction[] {
  const out: BootAction[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (ch === '<') {
      const end = text.indexOf('>', i);
      const special = end > i ? specialAction(text.slice(i + 1, end)) : null;
      if (special) {
        out.push(special);
        i = end + 1;
        continue;
      }
    }
    out.push(charAction(ch, i));
    i++;
  }
  return out;
}

function specialAction(name: string): BootAction | null {
  const n = name.toLowerCase();
  if (n === 'wait') return { kind: 'wait', ms: 1_000 };
  if (n.startsWith('wait')) {
    const rest = n.slice(4);
    if (/^\d+$/.test(rest)) return { kind: 'wait', ms: Number(rest) * 1_000 };
    const ms = tryParseDuration(rest);
    return ms === null ? null : { kind: 'wait', ms };
  }
  for (const suffix of ['on', 'off'] as const) {
    if (n.endsWith(suffix)) {
      const base = n.slice(0, -suffix.length);
      const qcode = SPECIAL[base];
      if (qcode !== undefined && MODIFIERS.has(base)) return { kind: 'hold', qcode, down: suffix === 'on' };
    }
  }
  const qcode = SPECIAL[n];
  return qcode === undefined ? null : { kind: 'press', qcode, shift: false };
}

function charAction(ch: string, at: number): BootAction {
  if (/^[a-z0-9]$/.test(ch)) return { kind: 'press', qcode: ch, shift: false };
  if (/^[A-Z]$/.test(ch)) return { kind: 'press', qcode: ch.toLowerCase(), shift: true };
  const plain = PLAIN[ch];
  if (plain !== undefined) return { kind: 'press', qcode: plain, shift: false };
  const shifted = SHIFTED[ch];
  if (shifted !== undefined) return { kind: 'press', qcode: shifted, shift: true };
  throw new BuildError(
    `boot_command: character ${JSON.stringify(ch)} at offset ${at} cannot be typed on a US keyboard; use ASCII or a special key such as <enter>`,
    { code: 'E_BOOT_COMMAND' },
  );
}

export interface TypeOptions {
  /** Pause after each key (Packer's boot_key_interval). */
  keyIntervalMs: number;
  signal: AbortSignal;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Types the actions into the guest through QMP. */
export async function typeBootCommand(qmp: Pick<Qmp, 'execute'>, actions: readonly BootAction[], opts: TypeOptions): Promise<void> {
  const key = (qcode: string, down: boolean): Record<string, unknown> => ({ type: 'key', data: { down, key: { type: 'qcode', data: qcode } } });
  for (const a of actions) {
    opts.signal.throwIfAborted();
    if (a.kind === 'wait') {
      await opts.sleep(a.ms, opts.signal);
      continue;
    }
    if (a.kind === 'hold') {
      await qmp.execute('input-send-event', { events: [key(a.qcode, a.down)] });
    } else {
      const events = a.shift
        ? [key('shift', true), key(a.qcode, true), key(a.qcode, false), key('shift', false)]
        : [key(a.qcode, true), key(a.qcode, false)];
      await qmp.execute('input-send-event', { events });
    }
    if (opts.keyIntervalMs > 0) await opts.sleep(opts.keyIntervalMs, opts.signal);
  }
}

/**
 * A virtual list of fixed-height rows: only the rows in view (and a few either side) are in the
 * DOM, so 100,000 results scroll like 100. The list is one focusable grid; arrow keys, Page
 * Up/Down, Home and End move the active row and Enter opens it.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

const OVERSCAN = 8;
/** How long after the last fast frame full rows come back (ms). */
const SETTLE_MS = 120;

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  label: string;
  renderRow: (index: number, active: boolean) => ComponentChildren;
  /**
   * A row as one line of text, shown while the list moves more than a screen per frame (a fling
   * or a dragged scrollbar): nobody reads rows then, and a text line costs a fraction of the
   * layout and paint of a full row. Full rows return once the list slows down.
   */
  renderQuick?: (index: number) => string;
  /** Rows from `first` to `last` are on screen (to load what is missing). */
  onVisible?: (first: number, last: number) => void;
  onOpen?: (index: number) => void;
  header?: ComponentChildren;
}

export function VirtualList(props: VirtualListProps) {
  const { count, rowHeight } = props;
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [active, setActive] = useState(-1);
  const [fast, setFast] = useState(false);
  const frame = useRef(0);
  const lastTop = useRef(0);
  const settle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const fastAt = useRef(0);
  // Full rows come back once no fast frame came for SETTLE_MS, counted from the last fast frame:
  // a stalled frame mid-fling (a timer firing late) does not bring them back for one frame.
  const settleWhenStill = () => {
    const left = SETTLE_MS - (performance.now() - fastAt.current);
    settle.current = left > 0 ? setTimeout(settleWhenStill, left) : undefined;
    if (left <= 0) setFast(false);
  };

  useEffect(() => () => clearTimeout(settle.current), []);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  // While flying past, rows beyond the screen would be gone before they are seen.
  const overscan = fast ? 0 : OVERSCAN;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((scrollTop + height) / rowHeight) + overscan);

  useEffect(() => {
    if (count > 0) props.onVisible?.(first, last);
  }, [first, last, count]);

  const onScroll = () => {
    // One state update per frame, however many scroll events arrive.
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const el = box.current;
      if (!el) return;
      const top = el.scrollTop;
      if (props.renderQuick && Math.abs(top - lastTop.current) > el.clientHeight) {
        setFast(true);
        fastAt.current = performance.now();
        settle.current ??= setTimeout(settleWhenStill, SETTLE_MS);
      }
      lastTop.current = top;
      setScrollTop(top);
    });
  };

  const moveTo = (index: number) => {
    const i = Math.max(0, Math.min(count - 1, index));
    setActive(i);
    const el = box.current;
    if (!el) return;
    const top = i * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight)
      el.scrollTop = top + rowHeight - el.clientHeight;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: count - 1,
    };
    if (e.key in moves) {
      e.preventDefault();
      moveTo(moves[e.key]!);
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      props.onOpen?.(active);
    }
  };

  // Each row element stays in its slot (row i lives in slot i % slots) and the slots are rendered in
  // slot order: a row scrolled out gives its element to the one scrolled in, which is patched in
  // place, never created or moved (fast flings stay cheap); rows are placed by transform, so
  // moving them costs no layout.
  const slots = Math.ceil(height / rowHeight) + 2 * OVERSCAN + 2;
  const rows = [];
  for (let slot = 0; slot < slots; slot++) {
    const i = first + ((slot - (first % slots) + slots) % slots);
    if (i > last) continue;
    rows.push(
      <div
        key={slot}
        id={`row-${i}`}
        role="row"
        aria-rowindex={i + 1}
        aria-selected={i === active}
        class={`vrow${i === active ? ' active' : ''}${fast ? ' quick' : ''}`}
        style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}
        onClick={() => {
          setActive(i);
          props.onOpen?.(i);
        }}
      >
        {fast ? props.renderQuick!(i) : props.renderRow(i, i === active)}
      </div>,
    );
  }

  return (
    <div class="vlist-wrap">
      {props.header}
      <div
        ref={box}
        class="vlist"
        role="grid"
        aria-label={props.label}
        aria-rowcount={count}
        aria-activedescendant={active >= 0 ? `row-${active}` : undefined}
        tabIndex={0}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        onFocus={() => {
          if (active < 0 && count > 0) setActive(first === 0 ? 0 : first + OVERSCAN);
        }}
      >
        <div class="vspacer" style={{ height: `${count * rowHeight}px` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}

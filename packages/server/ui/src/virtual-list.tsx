/**
 * A virtual list of fixed-height rows: only the rows in view (and a few either side) are in the
 * DOM, so 100,000 results scroll like 100. The list is one focusable grid; arrow keys, Page
 * Up/Down, Home and End move the active row and Enter opens it.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

const OVERSCAN = 8;

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  label: string;
  renderRow: (index: number, active: boolean) => ComponentChildren;
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
  const frame = useRef(0);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count - 1, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);

  useEffect(() => {
    if (count > 0) props.onVisible?.(first, last);
  }, [first, last, count]);

  const onScroll = () => {
    // One state update per frame, however many scroll events arrive.
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (box.current) setScrollTop(box.current.scrollTop);
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

  // Rows are keyed by a slot that a row keeps while it stays in view: a row scrolled out gives its
  // element to the one scrolled in, which is patched rather than created (fast flings stay cheap).
  const slots = Math.ceil(height / rowHeight) + 2 * OVERSCAN + 2;
  const rows = [];
  for (let i = first; i <= last; i++)
    rows.push(
      <div
        key={i % slots}
        id={`row-${i}`}
        role="row"
        aria-rowindex={i + 1}
        aria-selected={i === active}
        class={i === active ? 'vrow active' : 'vrow'}
        style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}
        onClick={() => {
          setActive(i);
          props.onOpen?.(i);
        }}
      >
        {props.renderRow(i, i === active)}
      </div>,
    );

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

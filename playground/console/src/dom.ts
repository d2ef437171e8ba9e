// Building the console's DOM. Elements come from a tag, attributes and children; strings only ever become text nodes
// (or attribute values, through setAttribute), so nothing a payload says can turn into markup.

/** What an element can hold: nodes, text, nothing (skipped), or lists of these. */
export type Child = Node | string | false | null | undefined | readonly Child[];

/** Attribute values: `true` is an attribute without a value, `false`, null and undefined leave it out. */
export type Attrs = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** Children flattened, empty strings and skipped ones left out, and neighbouring strings joined into one text. */
export function flatten(children: readonly Child[], into: (Node | string)[] = []): (Node | string)[] {
  for (const child of children) {
    if (child === null || child === undefined || child === false || child === '') continue;
    if (typeof child === 'string') {
      const last = into.length - 1;
      if (typeof into[last] === 'string') into[last] += child;
      else into.push(child);
    } else if (child instanceof Node) {
      into.push(child);
    } else {
      flatten(child, into);
    }
  }
  return into;
}

/** `h('a', { href, class: 'btn' }, 'text', child)`: an element, its attributes in the order given, and its children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...flatten(children));
  return element;
}

/** Replace an element's children (what `innerHTML =` did). */
export function fill(element: Element, ...children: Child[]): void {
  element.replaceChildren(...flatten(children));
}

/** The page's element with this id, which must be there and be of this type. */
export function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} is missing from the page, or is not a ${type.name}`);
  return element;
}

/** The first element under `root` matching `selector`, when it is of this type. */
export function find<T extends Element>(
  root: ParentNode,
  selector: string,
  type: { new (): T; prototype: T },
): T | null {
  const element = root.querySelector(selector);
  return element instanceof type ? element : null;
}

import schema from '../schema/audit-event.v1.json';
import { EVENT_FIELDS, SUMMARY_FIELDS } from '../src/event-fields';
import { EVENT_KEYS } from '../src/seal/sealer';

const fields = Object.keys(EVENT_FIELDS);
const required = fields.filter((f) => EVENT_FIELDS[f as keyof typeof EVENT_FIELDS] === 'required');
const sorted = (list: Iterable<string>) => [...list].sort();

describe('the event fields, declared once', () => {
  it('the JSON Schema has exactly the declared fields and requires the required ones', () => {
    expect(sorted(Object.keys(schema.properties))).toEqual(sorted(fields));
    expect(sorted(schema.required)).toEqual(sorted(required));
  });

  it('the sealer orders every declared field but the dedup summary ones, which take its generic path', () => {
    const summary: readonly string[] = SUMMARY_FIELDS;
    expect(sorted(EVENT_KEYS)).toEqual(sorted(fields.filter((f) => !summary.includes(f))));
  });
});

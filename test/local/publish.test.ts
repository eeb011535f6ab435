import { describe, expect, it } from 'vitest';
import { csvTicks, jsonlTicks } from '../../local/publish';

describe('npm run ticks: reading tick files', () => {
  it('turns CSV rows into JSON ticks: numbers as numbers, empty cells left out, keyed by the normalized symbol', () => {
    const ticks = csvTicks(
      'symbol,name,sector,price,change_1d_pct,volatility\n" m&m ","Mahindra, Ltd",Auto,2987.45,,0.015\n',
    );
    expect(ticks).toEqual([
      {
        data: JSON.stringify({
          symbol: ' m&m ',
          name: 'Mahindra, Ltd',
          sector: 'Auto',
          price: 2987.45,
          volatility: 0.015,
        }),
        partitionKey: 'M&M',
      },
    ]);
  });

  it('sends JSONL lines as they are, bad ones included (the consumer quarantines them), skipping blanks', () => {
    const ticks = jsonlTicks('{"symbol":"TCS","price":1}\n\nnot json\r\n{"price":2}\n');
    expect(ticks).toEqual([
      { data: '{"symbol":"TCS","price":1}', partitionKey: 'TCS' },
      { data: 'not json', partitionKey: 'unparsable' },
      { data: '{"price":2}', partitionKey: 'unparsable' },
    ]);
  });
});

import { describe, it } from 'vitest';
import { synthApp } from './helpers';

describe('scratch', () => {
  it('synths', () => {
    const { templates } = synthApp('dev');
    const fs = require('node:fs');
    fs.writeFileSync('/tmp/webcdk/web.json', JSON.stringify(templates.web.toJSON(), null, 1));
    fs.writeFileSync('/tmp/webcdk/webContent.json', JSON.stringify(templates.webContent.toJSON(), null, 1));
    fs.writeFileSync('/tmp/webcdk/api.json', JSON.stringify(templates.api.toJSON(), null, 1));
  });
});

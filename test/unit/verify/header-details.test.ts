/**
 * Header details for the report, parsed from the header block alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerBlock, headerDetails } from '../../../src/verify/header-details.js';

describe('headerDetails', () => {
  it('decodes encoded words and names the sender without quotes', async () => {
    const raw = Buffer.from(
      'From: =?UTF-8?Q?=C5=81ukasz_W=C3=B3jcik?= <lukasz@budpol.example>\r\n' +
        'Subject: =?UTF-8?B?WmHFvMOzxYLEhyBnxJnFm2zEhQ==?=\r\n' +
        'Date: Fri, 01 Mar 2024 10:00:00 +0100\r\nMessage-ID: <a@b>\r\n\r\nFrom: not a header\r\n',
    );
    assert.deepEqual(await headerDetails(raw), {
      date: '2024-03-01T09:00:00.000Z',
      from: '\u0141ukasz W\u00f3jcik <lukasz@budpol.example>',
      subject: 'Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105',
      messageId: '<a@b>',
    });
  });

  it('takes the header block up to the first blank line, LF or CRLF, or all of a bodiless message', () => {
    assert.equal(headerBlock(Buffer.from('A: 1\r\n\r\nbody\r\n\r\nmore')).toString(), 'A: 1\r\n\r\n');
    assert.equal(headerBlock(Buffer.from('A: 1\n\nbody')).toString(), 'A: 1\n\n');
    assert.equal(headerBlock(Buffer.from('A: 1\r\n')).toString(), 'A: 1\r\n');
  });

  it('leaves out what is absent', async () => {
    assert.deepEqual(await headerDetails(Buffer.from('X-Other: 1\r\n\r\n')), {});
  });
});

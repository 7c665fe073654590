import { describe, expect, it } from 'vitest';
import { onReviewHost } from '../../functions/events/schema.ts';

describe('onReviewHost', () => {
  it('matches a host exactly, or any name under a *. entry, and no other port', () => {
    const hosts = ['reviews.example.com', '*.reviews.example.org'];
    expect(onReviewHost('https://reviews.example.com/r/1', hosts)).toBe(true);
    expect(onReviewHost('https://REVIEWS.example.com/r/1', hosts)).toBe(true);
    expect(onReviewHost('https://eu.reviews.example.org/r/1', hosts)).toBe(true);
    expect(onReviewHost('https://a.b.reviews.example.org/r/1', hosts)).toBe(true);
    for (const url of [
      'https://reviews.example.org/r/1', // *. is for names under it, not the name itself
      'https://xreviews.example.org/r/1',
      'https://reviews.example.com.evil.example/r/1',
      'https://evil.example/reviews.example.com',
      'https://reviews.example.com:444/r/1',
      'https://user@evil.example/r/1',
    ]) {
      expect(onReviewHost(url, hosts), url).toBe(false);
    }
  });
});

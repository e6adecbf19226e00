/** One page of a paged listing. `nextPageToken` is absent on the last page. */
export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/** Paging arguments shared by every search. */
export interface PageRequest {
  /** The largest number of items to return; each search documents its default and maximum. */
  maxResults?: number;
  /** A token from a previous page's `nextPageToken`. */
  pageToken?: string;
}

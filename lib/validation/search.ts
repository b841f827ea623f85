import { z } from "zod";

/** GET /api/search?q=… — what the header's search box sends. */
export const searchRequest = z.object({
  q: z.string({ message: "Send the text to look for as ?q=." }).max(200, "At most 200 characters; search for one thing at a time."),
});

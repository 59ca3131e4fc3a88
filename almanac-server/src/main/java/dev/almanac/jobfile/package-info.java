/** Jobs as code: the system jobs seeded at first start, and the jobs file upserted by name at every start. */
package dev.almanac.jobfile;

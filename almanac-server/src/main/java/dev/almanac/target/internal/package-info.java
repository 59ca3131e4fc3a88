/** Target configuration, guarded connections, the demo database and the targets API. */
package dev.almanac.target.internal;

/** Target databases: the operator-configured databases templates act on, their allowlists and guarded connections. */
package dev.almanac.target;

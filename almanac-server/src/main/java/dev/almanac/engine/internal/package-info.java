/** The whole engine, including {@link dev.almanac.engine.internal.Engine}: no other feature calls it. */
package dev.almanac.engine.internal;

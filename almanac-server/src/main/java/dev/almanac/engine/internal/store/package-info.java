/** The engine's store: one port ({@link EngineStore}) and one implementation per database. */
package dev.almanac.engine.internal.store;

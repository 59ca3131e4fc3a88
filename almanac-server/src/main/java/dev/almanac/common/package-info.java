/** Types every feature shares: field errors and the exceptions the API turns into problem responses. */
package dev.almanac.common;

/** The calculator's package name and version, written into every result (a test keeps it equal to package.json). */
export const CALCULATOR_NAME = '@qt-led/jcm';
export const CALCULATOR_VERSION = '0.1.1';

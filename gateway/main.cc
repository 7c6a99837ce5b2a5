#include "gateway/cli.h"

int main(int argc, char** argv) { return csgw::gateway::Main(argc, argv); }
